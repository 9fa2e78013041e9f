// A thin RAII layer over SQLite for Atelier's stores (chat history, model library, training runs).
//
// One Database per thread or process (SQLite connections are not shared across threads here), WAL
// journal so a reader (the UI) sees rows while a writer (the trainer) appends, foreign keys on, and
// a versioned schema: migration i brings PRAGMA user_version from i to i+1 inside one transaction.
//
//   atelier::sqlite::Database db("/data/atelier.db");              // throws atelier::Error(Io)
//   db.migrate({"CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT);",
//               "ALTER TABLE t ADD COLUMN note TEXT;"});           // user_version -> 2
//   auto ins = db.prepare("INSERT INTO t(name) VALUES (?)");
//   ins.bind(1, "ada").step();
//   auto q = db.prepare("SELECT id, name FROM t");
//   while (q.step()) std::cout << q.column_int64(0) << q.column_text(1);
#pragma once

#include "common/error.h"

#include <cstdint>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace atelier::sqlite {

// Another connection held the database locked past the busy timeout (SQLITE_BUSY): the one failure
// worth trying again later. ErrorCode::Io like every other store failure.
class Busy : public Error {
public:
    using Error::Error;
};

class Statement {
public:
    Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql);
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&& other) noexcept;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    ~Statement();

    // Parameters are 1-based, as in SQLite.
    Statement& bind(int index, int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, const std::string& value);
    Statement& bind(int index, const char* value) { return bind(index, std::string(value)); }
    Statement& bind_null(int index);

    // True while a row is available; false when done. Throws atelier::Error(Io) on failure.
    bool step();
    void reset();  // ready to run again (bindings kept)

    // Columns are 0-based.
    int64_t column_int64(int col) const;
    double column_double(int col) const;
    std::string column_text(int col) const;
    bool column_is_null(int col) const;

private:
    sqlite3* m_db = nullptr;
    sqlite3_stmt* m_stmt = nullptr;
    std::string m_sql;
};

class Database {
public:
    // Opens (creating when missing) `path`; WAL journal, foreign keys on, a busy timeout so a
    // second process waits for a writer instead of failing. Where WAL cannot be had (some network
    // file systems) SQLite keeps its rollback journal: journal_mode() says which, and the timeout
    // is longer there, as readers then block the writer.
    explicit Database(const std::string& path);
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    ~Database();

    void exec(const std::string& sql);  // one or more statements, no results
    Statement prepare(const std::string& sql);
    int64_t last_insert_id() const;
    int changes() const;  // rows changed by the last statement

    int user_version();
    // Applies migrations[user_version() .. target) in order, each in its own transaction, and
    // returns the version reached. target < 0 means all of them. A database newer than the list
    // throws ErrorCode::BadHeader (an older Atelier must not write a newer schema).
    int migrate(const std::vector<std::string>& migrations, int target = -1);

    const std::string& path() const { return m_path; }
    const std::string& journal_mode() const { return m_journal_mode; }  // "wal", "delete", "memory"...
    void set_busy_timeout(int milliseconds);

private:
    friend class Transaction;
    sqlite3* m_db = nullptr;
    std::string m_path, m_journal_mode;
    int m_depth = 0;  // open Transactions
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed without commit() (an exception).
// Nests: an inner Transaction is a SAVEPOINT inside the outer one.
class Transaction {
public:
    explicit Transaction(Database& db);
    ~Transaction();
    void commit();

private:
    Database& m_db;
    int m_level;
    bool m_done = false;
};

}  // namespace atelier::sqlite

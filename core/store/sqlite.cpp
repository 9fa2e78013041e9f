#include "store/sqlite.h"

#include "common/error.h"

#include <sqlite3.h>

#include <utility>

namespace atelier::sqlite {

namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& where, const std::string& what,
                       int rc = SQLITE_ERROR) {
    const std::string detail = what + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
    if ((rc & 0xff) == SQLITE_BUSY) throw Busy(ErrorCode::Io, where, detail);
    throw Error(ErrorCode::Io, where, detail);
}

}  // namespace

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string sql)
    : m_db(db), m_stmt(stmt), m_sql(std::move(sql)) {}

Statement::Statement(Statement&& o) noexcept
    : m_db(std::exchange(o.m_db, nullptr)),
      m_stmt(std::exchange(o.m_stmt, nullptr)),
      m_sql(std::move(o.m_sql)) {}

Statement& Statement::operator=(Statement&& o) noexcept {
    if (this != &o) {
        sqlite3_finalize(m_stmt);
        m_db = std::exchange(o.m_db, nullptr);
        m_stmt = std::exchange(o.m_stmt, nullptr);
        m_sql = std::move(o.m_sql);
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(m_stmt);
}

Statement& Statement::bind(int index, int64_t value) {
    if (sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK) fail(m_db, m_sql, "bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    if (sqlite3_bind_double(m_stmt, index, value) != SQLITE_OK) fail(m_db, m_sql, "bind");
    return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
    // 64-bit size: a text past 2 GiB is refused (SQLITE_TOOBIG), never truncated by an int cast.
    if (sqlite3_bind_text64(m_stmt, index, value.data(), static_cast<sqlite3_uint64>(value.size()),
                            SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK)
        fail(m_db, m_sql, "bind");
    return *this;
}

Statement& Statement::bind_null(int index) {
    if (sqlite3_bind_null(m_stmt, index) != SQLITE_OK) fail(m_db, m_sql, "bind");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
        sqlite3_reset(m_stmt);  // ready to run again; keeps bindings
        return false;
    }
    sqlite3_reset(m_stmt);
    fail(m_db, m_sql, "step", rc);
}

void Statement::reset() {
    sqlite3_reset(m_stmt);
}

int64_t Statement::column_int64(int col) const {
    return sqlite3_column_int64(m_stmt, col);
}
double Statement::column_double(int col) const {
    return sqlite3_column_double(m_stmt, col);
}
bool Statement::column_is_null(int col) const {
    return sqlite3_column_type(m_stmt, col) == SQLITE_NULL;
}

std::string Statement::column_text(int col) const {
    const auto* text = sqlite3_column_text(m_stmt, col);
    const int n = sqlite3_column_bytes(m_stmt, col);
    return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(n)) : std::string();
}

Database::Database(const std::string& path) : m_path(path) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path.c_str(), &m_db, flags, nullptr) != SQLITE_OK) {
        std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        sqlite3_close(m_db);
        m_db = nullptr;
        throw Error(ErrorCode::Io, path, "cannot open database: " + msg);
    }
    sqlite3_busy_timeout(m_db, 5000);
    try {
        exec("PRAGMA foreign_keys = ON;");
        auto mode = prepare("PRAGMA journal_mode = WAL;");  // answers the mode it got
        m_journal_mode = mode.step() ? mode.column_text(0) : std::string();
        if (m_journal_mode == "wal")
            exec("PRAGMA synchronous = NORMAL;");  // WAL + NORMAL: durable across app crashes
        else
            sqlite3_busy_timeout(m_db, 30000);  // a rollback journal: readers block the writer
        // A file that is not a database fails here, not at the first query.
        prepare("SELECT count(*) FROM sqlite_master").step();
    } catch (...) {
        sqlite3_close(m_db);
        m_db = nullptr;
        throw;
    }
}

Database::~Database() {
    sqlite3_close(m_db);
}

void Database::exec(const std::string& sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        msg += " (in: " + sql.substr(0, 80) + ")";
        if ((rc & 0xff) == SQLITE_BUSY) throw Busy(ErrorCode::Io, m_path, msg);
        throw Error(ErrorCode::Io, m_path, msg);
    }
}

void Database::set_busy_timeout(int milliseconds) {
    sqlite3_busy_timeout(m_db, milliseconds);
}

Statement Database::prepare(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(m_db, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
        fail(m_db, m_path, "cannot prepare '" + sql.substr(0, 80) + "'");
    return Statement(m_db, stmt, sql);
}

int64_t Database::last_insert_id() const {
    return sqlite3_last_insert_rowid(m_db);
}
int Database::changes() const {
    return sqlite3_changes(m_db);
}

int Database::user_version() {
    auto q = prepare("PRAGMA user_version");
    q.step();
    return static_cast<int>(q.column_int64(0));
}

int Database::migrate(const std::vector<std::string>& migrations, int target) {
    const int latest = static_cast<int>(migrations.size());
    if (target < 0 || target > latest) target = latest;
    int version = user_version();
    if (version > latest)
        throw Error(ErrorCode::BadHeader, m_path,
                    "database schema version " + std::to_string(version) + " is newer than this program's " +
                        std::to_string(latest));
    while (version < target) {
        Transaction tx(*this);
        version = user_version();  // another process (the studio, a trainer) may have migrated meanwhile
        if (version >= target) break;
        exec(migrations[static_cast<size_t>(version)]);
        exec("PRAGMA user_version = " + std::to_string(version + 1) + ";");
        tx.commit();
        ++version;
    }
    return version;
}

Transaction::Transaction(Database& db) : m_db(db), m_level(db.m_depth) {
    m_db.exec(m_level == 0 ? "BEGIN IMMEDIATE;" : "SAVEPOINT sp" + std::to_string(m_level) + ";");
    ++m_db.m_depth;
}

Transaction::~Transaction() {
    if (m_done) return;
    --m_db.m_depth;
    try {
        if (m_level == 0)
            m_db.exec("ROLLBACK;");
        else
            m_db.exec("ROLLBACK TO sp" + std::to_string(m_level) + "; RELEASE sp" + std::to_string(m_level) +
                      ";");
    } catch (...) {
    }
}

void Transaction::commit() {
    m_db.exec(m_level == 0 ? "COMMIT;" : "RELEASE sp" + std::to_string(m_level) + ";");
    m_done = true;
    --m_db.m_depth;
}

}  // namespace atelier::sqlite

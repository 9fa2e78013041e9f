#include "run_store.h"

#include "common/error.h"
#include "common/process.h"
#include "store/sqlite.h"
#include "trainer_lock.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace atelier {

namespace {

const std::vector<std::string> kMigrations = {
    R"(CREATE TABLE runs(
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         name TEXT NOT NULL,
         method TEXT NOT NULL,
         model TEXT NOT NULL,
         dataset TEXT NOT NULL,
         dataset_fingerprint TEXT NOT NULL,
         config TEXT NOT NULL,
         status TEXT NOT NULL,
         out_dir TEXT NOT NULL,
         pid INTEGER NOT NULL DEFAULT 0,
         created_at INTEGER NOT NULL,
         started_at INTEGER NOT NULL DEFAULT 0,
         ended_at INTEGER NOT NULL DEFAULT 0,
         step INTEGER NOT NULL DEFAULT 0,
         total_steps INTEGER NOT NULL DEFAULT 0,
         best_eval_loss REAL NOT NULL DEFAULT -1,
         error TEXT NOT NULL DEFAULT '');
       CREATE TABLE metrics(
         run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
         step INTEGER NOT NULL,
         name TEXT NOT NULL,
         value REAL NOT NULL,
         wall_time INTEGER NOT NULL);
       CREATE INDEX metrics_by_run ON metrics(run_id, name, step);
       CREATE TABLE checkpoints(
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
         step INTEGER NOT NULL,
         path TEXT NOT NULL,
         created_at INTEGER NOT NULL);
       CREATE TABLE events(
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
         step INTEGER NOT NULL,
         kind TEXT NOT NULL,
         detail TEXT NOT NULL,
         created_at INTEGER NOT NULL);
       CREATE INDEX events_by_run ON events(run_id, id);)",
    // 2: evaluations of a run's result (atelier-cli eval --run).
    R"(CREATE TABLE evals(
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
         model TEXT NOT NULL,
         dataset TEXT NOT NULL,
         metric TEXT NOT NULL,
         score REAL NOT NULL,
         items INTEGER NOT NULL,
         perplexity REAL NOT NULL,
         groups TEXT NOT NULL,
         created_at INTEGER NOT NULL);
       CREATE INDEX evals_by_run ON evals(run_id, id);)",
    // 3: a run's attempt, advanced each time a (re)start drops the steps after its checkpoint, so a
    // chart that holds the dead attempt's points knows to read the curve again.
    R"(ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;)",
    // 4: how many data-parallel processes the run's latest (re)start trained with.
    R"(ALTER TABLE runs ADD COLUMN world_size INTEGER NOT NULL DEFAULT 1;)",
};

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const char* kRunColumns =
    "id, name, method, model, dataset, dataset_fingerprint, config, status, out_dir, pid, created_at, "
    "started_at, "
    "ended_at, step, total_steps, best_eval_loss, error, attempt, world_size";

RunRecord read_run(const sqlite::Statement& st) {
    RunRecord r;
    r.id = st.column_int64(0);
    r.name = st.column_text(1);
    r.method = st.column_text(2);
    r.model = st.column_text(3);
    r.dataset = st.column_text(4);
    r.dataset_fingerprint = st.column_text(5);
    r.config_json = st.column_text(6);
    r.status = parse_run_status(st.column_text(7));
    r.out_dir = st.column_text(8);
    r.pid = st.column_int64(9);
    r.created_at = st.column_int64(10);
    r.started_at = st.column_int64(11);
    r.ended_at = st.column_int64(12);
    r.step = st.column_int64(13);
    r.total_steps = st.column_int64(14);
    r.best_eval_loss = st.column_double(15);
    r.error = st.column_text(16);
    r.attempt = st.column_int64(17);
    r.world_size = st.column_int64(18);
    return r;
}

}  // namespace

bool trainer_alive(const RunRecord& r) {
    if (r.status == RunStatus::Running) return trainer_running(r.out_dir);
    // Launched, not claimed yet (a second or so): the launcher's pid, checked without signalling.
    if (r.status != RunStatus::Queued || r.pid <= 1 || r.pid > INT_MAX) return false;
    // A zombie (killed child not yet reaped) counts as gone.
    const ProcessStatus p = process_status(r.pid);
    if (!p.alive) return false;
    // After a reboot the pid may be another program's: only a trainer (atelier-train, or what
    // $ATELIER_TRAIN names) keeps a queued run starting. Nothing is ever signalled on this basis.
    if (!p.program_known) return true;
    const char* env = std::getenv("ATELIER_TRAIN");
    std::string argv0 = p.program;
    std::string trainer = env ? std::filesystem::path(env).filename().string() : "";
#ifdef _WIN32
    // File names there are case-blind and the executable's carries ".exe"; ATELIER_TRAIN's may not.
    for (std::string* name : {&argv0, &trainer}) {
        for (char& c : *name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name->size() > 4 && name->compare(name->size() - 4, 4, ".exe") == 0)
            name->resize(name->size() - 4);
    }
#endif
    return argv0.find("atelier") != std::string::npos || (!trainer.empty() && argv0 == trainer);
}

RunStore::RunStore(const std::string& path) : m_db(std::make_unique<sqlite::Database>(path)) {
    m_db->migrate(kMigrations);
}

RunStore::~RunStore() = default;

int RunStore::latest_schema_version() {
    return static_cast<int>(kMigrations.size());
}

int64_t RunStore::create_run(const TrainConfig& c, const std::string& fingerprint, const std::string& name) {
    auto st = m_db->prepare(
        "INSERT INTO runs(name, method, model, dataset, dataset_fingerprint, config, status, out_dir, "
        "created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?)");
    st.bind(1, name).bind(2, c.method_label()).bind(3, c.model).bind(4, c.data).bind(5, fingerprint);
    st.bind(6, c.to_json()).bind(7, c.out).bind(8, now_ms());
    st.step();
    return m_db->last_insert_id();
}

RunRecord RunStore::run(int64_t id) const {
    auto st = m_db->prepare(std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
    st.bind(1, id);
    RunRecord r;
    if (st.step()) r = read_run(st);
    st.reset();
    return r;
}

std::vector<RunRecord> RunStore::runs() const {
    auto st = m_db->prepare(std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id DESC");
    std::vector<RunRecord> out;
    while (st.step()) out.push_back(read_run(st));
    return out;
}

bool RunStore::delete_run(int64_t id) {
    // The status is checked by the DELETE itself: a trainer may claim the run between the studio's
    // look at it and the user's answer to "Delete?".
    auto st = m_db->prepare("DELETE FROM runs WHERE id = ? AND status <> 'running'");
    st.bind(1, id);
    st.step();
    return m_db->changes() == 1;
}

void RunStore::mark_started(int64_t id, int64_t pid, int64_t total_steps, int64_t world_size) {
    auto st = m_db->prepare(
        "UPDATE runs SET status = 'running', pid = ?, total_steps = ?, error = '', ended_at = 0, "
        "world_size = ?, started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END WHERE id = ?");
    st.bind(1, pid).bind(2, total_steps).bind(3, world_size).bind(4, now_ms()).bind(5, id);
    st.step();
}

const char* run_status_name(RunStatus status) {
    switch (status) {
        case RunStatus::Queued: return "queued";
        case RunStatus::Running: return "running";
        case RunStatus::Finished: return "finished";
        case RunStatus::Stopped: return "stopped";
        case RunStatus::Failed: return "failed";
        case RunStatus::Interrupted: return "interrupted";
    }
    return "failed";
}

RunStatus parse_run_status(const std::string& name) {
    for (RunStatus s : {RunStatus::Queued, RunStatus::Running, RunStatus::Finished, RunStatus::Stopped,
                        RunStatus::Failed, RunStatus::Interrupted})
        if (name == run_status_name(s)) return s;
    return RunStatus::Failed;
}

void RunStore::set_status(int64_t id, RunStatus status, const std::string& error) {
    auto st = m_db->prepare("UPDATE runs SET status = ?, error = ?, ended_at = ? WHERE id = ?");
    st.bind(1, std::string(run_status_name(status))).bind(2, error);
    st.bind(3, run_ended(status) ? now_ms() : int64_t(0)).bind(4, id);
    st.step();
}

int RunStore::mark_interrupted() {
    int n = 0;
    for (const auto& r : runs()) {
        const bool running = r.status == RunStatus::Running,
                   starting = r.status == RunStatus::Queued && r.pid > 0;
        if ((!running && !starting) || trainer_alive(r)) continue;
        // Compare-and-set: only if the row is still what was read (the trainer may have just
        // finished and written its own status).
        auto st = m_db->prepare(
            "UPDATE runs SET status = ?, error = ?, ended_at = ? WHERE id = ? AND status = ? AND pid = ?");
        st.bind(1, std::string(run_status_name(running ? RunStatus::Interrupted : RunStatus::Failed)));
        st.bind(2, std::string(
                       running ? ""
                               : "the trainer exited before it started (see trainer.log in the run folder)"));
        st.bind(3, now_ms()).bind(4, r.id).bind(5, std::string(run_status_name(r.status))).bind(6, r.pid);
        st.step();
        n += m_db->changes();
    }
    return n;
}

bool RunStore::claim(int64_t id, int64_t pid) {
    auto st = m_db->prepare(
        "UPDATE runs SET status = 'running', pid = ?, error = '', ended_at = 0, "
        "started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END WHERE id = ? AND status <> "
        "'running'");
    st.bind(1, pid).bind(2, now_ms()).bind(3, id);
    st.step();
    return m_db->changes() == 1;
}

void RunStore::set_launcher_pid(int64_t id, int64_t pid) {
    auto st = m_db->prepare("UPDATE runs SET pid = ? WHERE id = ? AND status = 'queued'");
    st.bind(1, pid).bind(2, id);
    st.step();
}

void RunStore::set_fingerprint(int64_t id, const std::string& fingerprint) {
    auto st = m_db->prepare("UPDATE runs SET dataset_fingerprint = ? WHERE id = ?");
    st.bind(1, fingerprint).bind(2, id);
    st.step();
}

void RunStore::truncate_after(int64_t run, int64_t step) {
    sqlite::Transaction tx(*m_db);
    for (const char* table : {"metrics", "checkpoints", "events"}) {
        auto st = m_db->prepare(std::string("DELETE FROM ") + table + " WHERE run_id = ? AND step > ?");
        st.bind(1, run).bind(2, step);
        st.step();
    }
    auto st = m_db->prepare("UPDATE runs SET attempt = attempt + 1 WHERE id = ?");
    st.bind(1, run);
    st.step();
    tx.commit();
}

void RunStore::set_busy_timeout(int milliseconds) {
    m_db->set_busy_timeout(milliseconds);
    m_busy_timeout_ms = milliseconds;
}

void RunStore::record_event(int64_t run, int64_t step, const std::string& kind, const std::string& detail) {
    sqlite::Transaction tx(*m_db);  // the event and its checkpoint row, or neither (a retry adds no twin)
    add_event(run, step, kind, detail);
    if (kind == "checkpoint") add_checkpoint(run, step, detail);
    tx.commit();
}

void RunStore::add_metric(int64_t run, int64_t step, const std::string& name, double value) {
    sqlite::Transaction tx(*m_db);  // the point and the run's step, or neither (a retry adds no twin)
    auto st =
        m_db->prepare("INSERT INTO metrics(run_id, step, name, value, wall_time) VALUES (?, ?, ?, ?, ?)");
    st.bind(1, run).bind(2, step).bind(3, name).bind(4, value).bind(5, now_ms());
    st.step();
    if (name == "loss") {
        auto up = m_db->prepare("UPDATE runs SET step = ? WHERE id = ?");
        up.bind(1, step).bind(2, run);
        up.step();
    } else if (name == "eval_loss") {
        auto up = m_db->prepare(
            "UPDATE runs SET best_eval_loss = ? WHERE id = ? AND (best_eval_loss < 0 OR best_eval_loss > ?)");
        up.bind(1, value).bind(2, run).bind(3, value);
        up.step();
    }
    tx.commit();
}

void RunStore::add_event(int64_t run, int64_t step, const std::string& kind, const std::string& detail) {
    auto st =
        m_db->prepare("INSERT INTO events(run_id, step, kind, detail, created_at) VALUES (?, ?, ?, ?, ?)");
    st.bind(1, run).bind(2, step).bind(3, kind).bind(4, detail).bind(5, now_ms());
    st.step();
}

void RunStore::add_checkpoint(int64_t run, int64_t step, const std::string& path) {
    auto st = m_db->prepare("INSERT INTO checkpoints(run_id, step, path, created_at) VALUES (?, ?, ?, ?)");
    st.bind(1, run).bind(2, step).bind(3, path).bind(4, now_ms());
    st.step();
}

std::vector<MetricPoint> RunStore::metrics(int64_t run, const std::string& name, int64_t after_step) const {
    auto st = m_db->prepare(
        "SELECT step, value, wall_time FROM metrics WHERE run_id = ? AND name = ? AND step > ? ORDER BY "
        "step, rowid");
    st.bind(1, run).bind(2, name).bind(3, after_step);
    std::vector<MetricPoint> out;
    while (st.step()) out.push_back({st.column_int64(0), st.column_double(1), st.column_int64(2)});
    return out;
}

std::vector<EventRecord> RunStore::events(int64_t run) const {
    auto st = m_db->prepare("SELECT step, kind, detail, created_at FROM events WHERE run_id = ? ORDER BY id");
    st.bind(1, run);
    std::vector<EventRecord> out;
    while (st.step())
        out.push_back({st.column_int64(0), st.column_text(1), st.column_text(2), st.column_int64(3)});
    return out;
}

int64_t RunStore::add_eval(const EvalRecord& e) {
    auto st = m_db->prepare(
        "INSERT INTO evals(run_id, model, dataset, metric, score, items, perplexity, groups, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bind(1, e.run_id).bind(2, e.model).bind(3, e.dataset).bind(4, e.metric).bind(5, e.score);
    st.bind(6, e.items)
        .bind(7, e.perplexity)
        .bind(8, e.groups_json)
        .bind(9, e.created_at ? e.created_at : now_ms());
    st.step();
    return m_db->last_insert_id();
}

std::vector<EvalRecord> RunStore::evals(int64_t run) const {
    auto st = m_db->prepare(
        "SELECT id, run_id, model, dataset, metric, score, items, perplexity, groups, created_at FROM evals "
        "WHERE run_id = ? ORDER BY id");
    st.bind(1, run);
    std::vector<EvalRecord> out;
    while (st.step()) {
        EvalRecord e;
        e.id = st.column_int64(0);
        e.run_id = st.column_int64(1);
        e.model = st.column_text(2);
        e.dataset = st.column_text(3);
        e.metric = st.column_text(4);
        e.score = st.column_double(5);
        e.items = st.column_int64(6);
        e.perplexity = st.column_double(7);
        e.groups_json = st.column_text(8);
        e.created_at = st.column_int64(9);
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<std::pair<int64_t, std::string>> RunStore::checkpoints(int64_t run) const {
    auto st = m_db->prepare("SELECT step, path FROM checkpoints WHERE run_id = ? ORDER BY step, id");
    st.bind(1, run);
    std::vector<std::pair<int64_t, std::string>> out;
    while (st.step()) out.push_back({st.column_int64(0), st.column_text(1)});
    return out;
}

std::string RunStore::export_csv(int64_t run) const {
    auto st = m_db->prepare(
        "SELECT step, name, value, wall_time FROM metrics WHERE run_id = ? ORDER BY step, name");
    st.bind(1, run);
    std::ostringstream out;
    out.precision(10);
    out << "step,name,value,wall_time_ms\n";
    while (st.step())
        out << st.column_int64(0) << ',' << st.column_text(1) << ',' << st.column_double(2) << ','
            << st.column_int64(3) << '\n';
    return out.str();
}

void RunStoreSink::apply(const Write& w) {
    if (!w.is_event) {
        m_store.add_metric(m_run, w.step, w.name, w.value);
        return;
    }
    m_store.record_event(m_run, w.step, w.name, w.detail);
}

bool RunStoreSink::flush() {
    while (!m_pending.empty()) {
        try {
            apply(m_pending.front());
        } catch (const sqlite::Busy&) {
            m_next_try = std::chrono::steady_clock::now() + std::chrono::seconds(1);
            return false;
        }
        m_pending.pop_front();
    }
    return true;
}

void RunStoreSink::queue(bool is_event, const std::string& name, double value, const std::string& detail,
                         int64_t step) {
    if (m_pending.size() >= kMaxPending) {  // a store locked for days: drop the oldest point, never an event
        const auto point =
            std::find_if(m_pending.begin(), m_pending.end(), [](const Write& w) { return !w.is_event; });
        m_pending.erase(point != m_pending.end() ? point : m_pending.begin());
    }
    m_pending.push_back({is_event, name, value, detail, step});
    if (m_pending.size() == 1) {  // nothing waited: the usual write, with the usual timeout
        flush();
        return;
    }
    if (std::chrono::steady_clock::now() < m_next_try) return;
    const int timeout = m_store.busy_timeout();
    m_store.set_busy_timeout(std::min(timeout, kRetryTimeoutMs));
    try {
        flush();
    } catch (...) {
        m_store.set_busy_timeout(timeout);
        throw;
    }
    m_store.set_busy_timeout(timeout);
}

void RunStoreSink::log(const std::string& name, double value, int64_t step) {
    queue(false, name, value, "", step);
}

void RunStoreSink::event(const std::string& kind, const std::string& detail, int64_t step) {
    queue(true, kind, 0, detail, step);
}

}  // namespace atelier

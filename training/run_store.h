// The run store: every fine-tuning run, its metrics, checkpoints and events, in SQLite (WAL), so a
// reader (the studio's Train page) sees new points while the trainer process writes them.
//
// Schema versioned by PRAGMA user_version (migrations in run_store.cpp). One RunStore per thread
// or process; the trainer writes, the UI reads with metrics(run, name, after_step) to fetch only
// what is new.
//
//   atelier::RunStore store("runs.db");
//   int64_t id = store.create_run(config, atelier::Dataset::fingerprint(config.data));
//   atelier::RunStoreSink sink(store, id);    // hand to FinetuneRecipe
//   auto points = store.metrics(id, "loss", /*after_step=*/last_seen);
#pragma once

#include "metrics.h"
#include "train_config.h"

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace atelier {

namespace sqlite {
class Database;
}

// queued -> running -> finished | stopped | failed; running -> interrupted when its process died.
// Stored by name ("queued", "running", ...); the store, the CLI and the studio share this enum.
enum class RunStatus { Queued, Running, Finished, Stopped, Failed, Interrupted };
const char* run_status_name(RunStatus status);        // as stored and printed: "queued", "running", ...
RunStatus parse_run_status(const std::string& name);  // an unknown name reads as Failed
inline bool run_ended(RunStatus s) {
    return s == RunStatus::Finished || s == RunStatus::Stopped || s == RunStatus::Failed ||
           s == RunStatus::Interrupted;
}
// Whether a run can be continued from its last checkpoint (or started, if it never was).
inline bool run_resumable(RunStatus s) {
    return s == RunStatus::Stopped || s == RunStatus::Interrupted || s == RunStatus::Failed ||
           s == RunStatus::Queued;
}

struct RunRecord {
    int64_t id = 0;
    std::string name;
    std::string method;
    std::string model;
    std::string dataset;
    std::string dataset_fingerprint;
    std::string config_json;
    RunStatus status = RunStatus::Queued;
    std::string out_dir;
    int64_t pid = 0;
    int64_t created_at = 0, started_at = 0, ended_at = 0;  // ms since the epoch; 0 = not yet
    int64_t step = 0, total_steps = 0;
    double best_eval_loss = -1;  // -1: none yet
    std::string error;
    int64_t attempt = 0;     // advanced by truncate_after: points past the checkpoint were replaced
    int64_t world_size = 1;  // data-parallel processes of the latest (re)start
};

struct MetricPoint {
    int64_t step = 0;
    double value = 0;
    int64_t wall_time = 0;  // ms since the epoch
};

struct EventRecord {
    int64_t step = 0;
    std::string kind, detail;
    int64_t time = 0;
};

// One evaluation of a run's result: the metric overall and per group (JSON [{"name", "count",
// "score"}]), as `atelier-cli eval --run ID` stores it and the Runs page shows it.
struct EvalRecord {
    int64_t id = 0, run_id = 0;
    std::string model, dataset, metric;
    double score = 0;
    int64_t items = 0;
    double perplexity = 0;  // of the references; 0 when not measured
    std::string groups_json = "[]";
    int64_t created_at = 0;
};

class RunStore {
public:
    explicit RunStore(const std::string& path);
    ~RunStore();
    static int latest_schema_version();

    int64_t create_run(const TrainConfig& config, const std::string& dataset_fingerprint,
                       const std::string& name = "");
    RunRecord run(int64_t id) const;      // id 0 when absent
    std::vector<RunRecord> runs() const;  // newest first
    // Removes the run and its curves, unless it is running (checked in the same statement); false
    // when it was running or absent.
    bool delete_run(int64_t id);

    void mark_started(int64_t id, int64_t pid, int64_t total_steps, int64_t world_size = 1);
    // Atomically makes `pid` the run's trainer unless another one runs it; false when it does.
    bool claim(int64_t id, int64_t pid);
    // The pid of a launched trainer that has not claimed its queued run yet (dies -> 'failed').
    void set_launcher_pid(int64_t id, int64_t pid);
    void set_fingerprint(int64_t id, const std::string& fingerprint);
    // A resumed run redoes the steps after its checkpoint: their old points, checkpoints and events go.
    void truncate_after(int64_t run, int64_t step);
    void set_status(int64_t id, RunStatus status, const std::string& error = "");
    // Runs left 'running' by a process that is gone become 'interrupted', and runs whose trainer
    // died before claiming them 'failed'; returns how many.
    int mark_interrupted();

    void add_metric(int64_t run, int64_t step, const std::string& name, double value);
    void add_event(int64_t run, int64_t step, const std::string& kind, const std::string& detail);
    void add_checkpoint(int64_t run, int64_t step, const std::string& path);
    // add_event, and add_checkpoint for a "checkpoint" event, in one transaction.
    void record_event(int64_t run, int64_t step, const std::string& kind, const std::string& detail);
    // How long a write waits for another process's lock before sqlite::Busy (default 5 s).
    void set_busy_timeout(int milliseconds);
    int busy_timeout() const { return m_busy_timeout_ms; }

    std::vector<MetricPoint> metrics(int64_t run, const std::string& name, int64_t after_step = -1) const;
    std::vector<EventRecord> events(int64_t run) const;
    std::vector<std::pair<int64_t, std::string>> checkpoints(int64_t run) const;  // (step, path)
    int64_t add_eval(const EvalRecord& e);
    std::vector<EvalRecord> evals(int64_t run) const;  // oldest first
    // step,name,value,wall_time rows of every metric, for spreadsheets.
    std::string export_csv(int64_t run) const;

private:
    std::unique_ptr<sqlite::Database> m_db;
    int m_busy_timeout_ms = 5000;
};

// Whether the run's trainer lives: a running run's trainer holds its folder's lock (trainer_lock.h);
// a queued run whose trainer was launched but has not claimed it yet has a live launcher pid.
bool trainer_alive(const RunRecord& r);

// Feeds a recipe's metrics and events into the store (and keeps the run's step and best eval loss).

// A store another process holds locked past the busy timeout (the studio exporting a CSV, a
// backup tool) does not end the run: what could not be written waits, in order, and goes with the
// next write (or flush()). While writes wait, training is not held up either: a write tries again
// at most once a second, and then waits only kRetryTimeoutMs for the lock. Other store failures
// throw as before.
class RunStoreSink : public MetricSink {
public:
    RunStoreSink(RunStore& store, int64_t run) : m_store(store), m_run(run) {}
    void log(const std::string& name, double value, int64_t step) override;
    void event(const std::string& kind, const std::string& detail, int64_t step) override;
    // Writes what waits, waiting the store's full busy timeout; false when it is still locked.
    bool flush();
    size_t pending() const { return m_pending.size(); }

    static constexpr size_t kMaxPending = 1000000;  // then the oldest metric points are dropped
    static constexpr int kRetryTimeoutMs = 50;

private:
    void queue(bool is_event, const std::string& name, double value, const std::string& detail, int64_t step);
    struct Write {
        bool is_event = false;
        std::string name;  // metric name or event kind
        double value = 0;
        std::string detail;
        int64_t step = 0;
    };
    void apply(const Write& w);
    RunStore& m_store;
    int64_t m_run;
    std::deque<Write> m_pending;
    std::chrono::steady_clock::time_point m_next_try{};  // while writes wait
};

}  // namespace atelier

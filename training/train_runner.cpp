#include "train_runner.h"

#include "common/error.h"
#include "common/process.h"
#include "multimodal_recipe.h"
#include "run_store.h"
#include "store/sqlite.h"
#include "trainer_lock.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#ifdef _WIN32
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#endif

namespace fs = std::filesystem;

namespace atelier {

#ifdef _WIN32
namespace {

// Windows has no SIGTERM: stop_trainer() leaves <out>/trainer.stop, and this thread turns it (or the
// caller's own flag: Ctrl-C) into the flag the recipe polls.
class StopFileWatch {
public:
    StopFileWatch(std::string out_dir, const std::atomic<bool>* caller)
        : m_dir(std::move(out_dir)), m_caller(caller), m_thread([this] { watch(); }) {}
    ~StopFileWatch() {
        {
            std::lock_guard<std::mutex> lock(m_mutex);
            m_done = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }
    StopFileWatch(const StopFileWatch&) = delete;
    StopFileWatch& operator=(const StopFileWatch&) = delete;

    const std::atomic<bool>* flag() const { return &m_stop; }

private:
    void watch() {
        std::unique_lock<std::mutex> lock(m_mutex);
        while (!m_done) {
            if ((m_caller && m_caller->load()) || stop_requested_by_file(m_dir)) m_stop.store(true);
            m_wake.wait_for(lock, std::chrono::milliseconds(250), [this] { return m_done; });
        }
    }

    std::string m_dir;
    const std::atomic<bool>* m_caller;
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_done = false;
    std::thread m_thread;  // last: started once the members it reads exist
};

}  // namespace
#endif

std::string default_run_store_path() {
    return (fs::path(default_data_dir()) / "runs.db").string();
}

std::string outcome_json(const RunOutcome& r) {
    nlohmann::json j{{"type", "result"},
                     {"run", r.run_id},
                     {"status", run_status_name(r.status)},
                     {"steps", r.result.steps},
                     {"loss", r.result.last_loss},
                     {"eval_loss", r.result.last_eval_loss},
                     {"adapter", r.result.adapter_dir},
                     {"checkpoint", r.result.checkpoint_dir}};
    if (!r.result.bundle_dir.empty()) j["bundle"] = r.result.bundle_dir;
    if (r.result.cache_hits >= 0) {
        const int64_t all = r.result.cache_hits + r.result.cache_misses;
        j["feature_cache"] = {{"hits", r.result.cache_hits},
                              {"misses", r.result.cache_misses},
                              {"hit_rate", all ? double(r.result.cache_hits) / double(all) : 0.0}};
    }
    return j.dump();
}

RunOutcome run_training(TrainConfig config, const RunOptions& options) {
    const std::string store_path = options.store_path.empty() ? default_run_store_path() : options.store_path;
    std::error_code ec;
    fs::create_directories(fs::path(store_path).parent_path(), ec);
    RunStore store(store_path);
    store.mark_interrupted();

    RunOutcome outcome;
    // Held until the run ends: the kernel's word that this process trains the folder (Stop signals
    // only its holder; a second trainer for the same folder stops here).
    std::unique_ptr<TrainerLock> lock;
    std::string lock_dir;
    if (options.run_id > 0) {
        const RunRecord r = store.run(options.run_id);
        if (r.id == 0)
            throw Error(ErrorCode::InvalidArgument, store_path, "no run " + std::to_string(options.run_id));
        lock = std::make_unique<TrainerLock>(r.out_dir);
        lock_dir = r.out_dir;
        // Claim it atomically: two trainers started for one run cannot both train it.
        if (!store.claim(r.id, current_pid()))
            throw Error(ErrorCode::InvalidArgument, store_path,
                        "run " + std::to_string(r.id) + " is already running (process " +
                            std::to_string(store.run(r.id).pid) + ")");
        outcome.run_id = r.id;
        try {
            config = TrainConfig::from_json(r.config_json, store_path + ": run " + std::to_string(r.id));
            if (r.dataset_fingerprint.empty()) store.set_fingerprint(r.id, Dataset::fingerprint(config.data));
        } catch (const Error& e) {
            store.set_status(r.id, RunStatus::Failed, e.what());
            throw;
        }
    } else {
        // The store outlives this process's working folder: the studio, a later Continue and the
        // trainer lock all find the run by these paths from wherever they run.
        for (std::string* path : {&config.out, &config.data, &config.model})
            if (!path->empty()) *path = fs::absolute(*path).lexically_normal().string();
        config.validate();
        lock = std::make_unique<TrainerLock>(config.out);
        lock_dir = config.out;
        outcome.run_id = store.create_run(config, Dataset::fingerprint(config.data), options.name);
        store.claim(outcome.run_id, current_pid());
    }
#ifdef _WIN32
    StopFileWatch stop_watch(lock_dir, options.stop);
    const std::atomic<bool>* stop = stop_watch.flag();
#else
    const std::atomic<bool>* stop = options.stop;
#endif

    RunStoreSink store_sink(store, outcome.run_id);
    JsonLinesSink json_sink(options.json_out ? *options.json_out : std::cout);
    FanOutSink sink;
    sink.add(&store_sink);
    if (options.json_out) sink.add(&json_sink);

    auto fail = [&](const std::string& message) {
        try {
            store_sink.flush();
            store.set_status(outcome.run_id, RunStatus::Failed, message);
        } catch (const sqlite::Busy&) {
            // Still locked: the run's lock goes with this process, so the store's next reader marks
            // it interrupted; the reason is in the trainer's output.
        }
        sink.event("failed", message, 0);
    };
    try {
        // The run was claimed with this pid before the (possibly long) setup, so a trainer that dies
        // while loading is found 'interrupted' rather than left queued.
        auto run = [&](auto& recipe) {
            recipe.setup(options.resume);
            store.truncate_after(outcome.run_id, recipe.step());  // steps redone after a resume
            store.mark_started(outcome.run_id, current_pid(), recipe.total_steps());
            outcome.result = recipe.train(stop, [&](const TrainProgress& p) {
                if (options.json_out) {
                    const double eta = p.step > 0 ? p.elapsed_seconds / static_cast<double>(p.step) *
                                                        static_cast<double>(p.total_steps - p.step)
                                                  : 0;
                    *options.json_out << nlohmann::json{{"type", "progress"}, {"run", outcome.run_id},
                                                        {"step", p.step},     {"total_steps", p.total_steps},
                                                        {"epoch", p.epoch},   {"loss", p.loss},
                                                        {"lr", p.lr},         {"eta_seconds", eta}}
                                             .dump()
                                      << std::endl;
                }
                if (options.on_step) options.on_step(p);
            });
        };
        if (config.multimodal.enabled()) {
            MultimodalRecipe recipe(config, &sink);
            run(recipe);
            std::string mods;
            for (const auto& m : recipe.modalities()) mods += (mods.empty() ? "" : ",") + m;
            sink.event("info",
                       "multimodal: stage " + config.multimodal.stage + ", modalities " + mods +
                           ", feature cache " + std::to_string(recipe.cache_hits()) + " hits / " +
                           std::to_string(recipe.cache_misses()) + " misses",
                       recipe.step());
        } else {
            FinetuneRecipe recipe(config, &sink);
            run(recipe);
        }
    } catch (const Error& e) {
        fail(e.what());
        throw;
    } catch (const std::exception& e) {
        fail(e.what());
        throw;
    }
    outcome.status =
        outcome.result.status == TrainStatus::Finished ? RunStatus::Finished : RunStatus::Stopped;
    // The run's last points and its end must reach the store even if another process holds it for a
    // while (each try waits the busy timeout): a minute, then the error.
    for (int attempt = 0;; ++attempt) {
        try {
            if (store_sink.flush()) {
                store.set_status(outcome.run_id, outcome.status);
                break;
            }
        } catch (const sqlite::Busy&) {
        }
        if (attempt == 11)
            throw Error(ErrorCode::Io, store_path,
                        "the run store stayed locked by another process; the run " +
                            std::to_string(outcome.run_id) + " ended but is not marked");
    }
    return outcome;
}

}  // namespace atelier

#include "train_runner.h"

#include "common/error.h"
#include "common/process.h"
#include "distributed.h"
#include "launcher.h"
#include "multimodal_recipe.h"
#include "run_store.h"
#include "store/sqlite.h"
#include "trainer_lock.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>
#ifdef _WIN32
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

namespace {

// A launcher's place in the run: local rank 0 of `processes` on machine `node_rank`.
DistributedOptions launch_placement(const RunOptions& o, int processes) {
    DistributedOptions d;
    d.local_world_size = processes;
    d.world_size = processes * o.nnodes;
    d.rank = o.node_rank * processes;
    d.master_addr = o.master_addr;
    d.master_port = o.master_port;
    d.timeout_seconds = o.dist_timeout_seconds;
    if (o.nnodes < 1 || o.node_rank < 0 || o.node_rank >= o.nnodes)
        throw Error(ErrorCode::BadConfig, "node_rank",
                    std::to_string(o.node_rank) + " is not between 0 and nnodes - 1 (" +
                        std::to_string(o.nnodes - 1) + ")");
    d.validate();
    return d;
}

// Joins the run's group. A launcher starts its local ranks once rank 0 listens (on another machine
// at once: the port is fixed there).
std::unique_ptr<ProcessGroup> join_group(const DistributedOptions& d, bool launcher, LocalRanks& ranks,
                                         const RunOptions& o) {
    auto start = [&](int port) {
        if (o.rank_command.empty())
            throw Error(ErrorCode::Distributed, "processes", "this program cannot start training processes");
        ranks.start(o.rank_command, d.world_size, d.rank, d.local_world_size, d.master_addr, port,
                    o.dist_timeout_seconds);
    };
    if (launcher && d.rank != 0) start(d.master_port);
    std::function<void(int)> on_listening;
    if (launcher && d.rank == 0) on_listening = start;
    return ProcessGroup::connect(d, on_listening);
}

// How the local ranks that ended badly did, waiting up to a second for one to be reaped (a killed
// peer's sockets close, and fail this process's collective, a moment before it can be reaped).
std::string rank_failures(LocalRanks& ranks) {
    if (ranks.count() == 0) return {};
    for (int i = 0; i < 50; ++i) {
        std::string f = ranks.failures();
        if (!f.empty()) return f;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {};
}

template <typename Recipe>
TrainResult train_rank(Recipe& recipe, ProcessGroup* group, const RunOptions& options) {
    recipe.set_process_group(group);
    recipe.setup(options.resume);
    return recipe.train(options.stop);
}

// A rank other than 0: the config comes from rank 0, nothing is written (no store, no output).
RunOutcome run_other_rank(const DistributedOptions& d, bool launcher, const RunOptions& options) {
    LocalRanks ranks;
    auto group = join_group(d, launcher, ranks, options);
    TrainConfig config = TrainConfig::from_json(group->share("config", ""), "the run's config (from rank 0)");
    RunOutcome outcome;
    outcome.rank = d.rank;
    if (config.multimodal.enabled()) {
        MultimodalRecipe recipe(config, nullptr);
        outcome.result = train_rank(recipe, group.get(), options);
    } else {
        FinetuneRecipe recipe(config, nullptr);
        outcome.result = train_rank(recipe, group.get(), options);
    }
    outcome.status =
        outcome.result.status == TrainStatus::Finished ? RunStatus::Finished : RunStatus::Stopped;
    ranks.wait(60);
    return outcome;
}

}  // namespace

RunOutcome run_training(TrainConfig config, const RunOptions& options) {
    // This process's place: torchrun's variables (set by a launcher, ours or torchrun), else a
    // launcher of its own local ranks.
    const std::optional<DistributedOptions> from_env = distributed_from_env();
    if (from_env && from_env->rank != 0) return run_other_rank(*from_env, false, options);
    if (!from_env && options.node_rank > 0) {
        if (options.processes < 1)
            throw Error(ErrorCode::BadConfig, "nproc", "each machine after the first needs --nproc");
        return run_other_rank(launch_placement(options, options.processes), true, options);
    }

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
    LocalRanks ranks;  // declared before the group: on the way out the group goes first
    std::unique_ptr<ProcessGroup> group;
    try {
        const DistributedOptions place =
            from_env
                ? *from_env
                : launch_placement(options, options.processes > 0 ? options.processes : config.processes);
        if (place.world_size > 1) {
            group = join_group(place, !from_env, ranks, options);
            group->share("config", config.to_json());
            sink.event("info",
                       "data-parallel: " + std::to_string(place.world_size) + " processes (" +
                           std::to_string(place.local_world_size) + " on this machine), Gloo over " +
                           place.master_addr + ":" + std::to_string(group->options().master_port),
                       0);
        }
        // The run was claimed with this pid before the (possibly long) setup, so a trainer that dies
        // while loading is found 'interrupted' rather than left queued.
        auto run = [&](auto& recipe) {
            recipe.set_process_group(group.get());
            recipe.setup(options.resume);
            store.truncate_after(outcome.run_id, recipe.step());  // steps redone after a resume
            store.mark_started(outcome.run_id, current_pid(), recipe.total_steps(), place.world_size);
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
        const std::string ended = rank_failures(ranks);
        if (ended.empty()) {
            fail(e.what());
            throw;
        }
        // Say which process ended first: the collective's own message is only the symptom.
        const Error why(ErrorCode::Distributed, e.where(), e.detail() + "; " + ended);
        fail(why.what());
        throw why;
    } catch (const std::exception& e) {
        fail(e.what());
        throw;
    }
    if (ranks.count() > 0 && !ranks.wait(60))
        sink.event("info", "training processes still running a minute after the run ended: stopped", 0);
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

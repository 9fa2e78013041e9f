// One fine-tuning run from start to end, as atelier-train and `atelier-cli train` both do it:
// the run recorded in the run store, the recipe set up (resuming from the newest checkpoint),
// metrics to the store and, optionally, JSON lines; the run's final status recorded whatever
// happens (finished, stopped, failed).
//
//   atelier::RunOptions opt;  opt.store_path = "runs.db";  opt.json_out = &std::cout;  opt.stop = &flag;
//   atelier::RunOutcome r = atelier::run_training(config, opt);   // throws atelier::Error on failure
#pragma once

#include "finetune_recipe.h"
#include "run_store.h"

#include <atomic>
#include <ostream>
#include <string>
#include <vector>

namespace atelier {

struct RunOptions {
    std::string store_path;  // the run store; "" = default_run_store_path()
    int64_t run_id = 0;      // 0: a new run; otherwise continue this one (its stored config is used)
    std::string name;        // of a new run
    bool resume = true;      // continue from the newest checkpoint in the run's folder
    std::ostream* json_out = nullptr;
    const std::atomic<bool>* stop = nullptr;
    std::function<void(const TrainProgress&)> on_step;

    // Data parallelism (training/distributed.h). A process started with torchrun's variables
    // (WORLD_SIZE, RANK, …) is that rank: rank 0 runs the store, the others take rank 0's config and
    // write nothing. Otherwise this process launches `processes` local ranks (0: the config's
    // `processes`) by running `rank_command` (rank_command(argc, argv)) and is local rank 0; across
    // machines each runs with the same `nnodes`, its `node_rank` and rank 0's master address/port.
    std::vector<std::string> rank_command;
    int processes = 0;
    int nnodes = 1, node_rank = 0;
    std::string master_addr = "127.0.0.1";
    int master_port = 0;  // 0: any free port (one machine)
    int dist_timeout_seconds = 300;
};

struct RunOutcome {
    int rank = 0;  // of this process (only rank 0 reports: the others' outcome is rank 0's too)
    int64_t run_id = 0;
    RunStatus status = RunStatus::Finished;  // Finished | Stopped
    TrainResult result;
};

RunOutcome run_training(TrainConfig config, const RunOptions& options);

// {"type": "result", "run", "status", "steps", "loss", "eval_loss", "adapter", "checkpoint"} as one
// JSON line: what atelier-train and `atelier-cli train --json` print last.
std::string outcome_json(const RunOutcome& outcome);

// $XDG_DATA_HOME/Atelier/Atelier/runs.db (~/.local/share/...), the studio's data folder.
std::string default_run_store_path();

}  // namespace atelier

// What every training recipe shares (text fine-tuning, multimodal): the learning-rate schedule,
// each epoch's example order, the train/eval split, and checkpoint folders with the optimiser's
// moments and the random state, written to a temporary folder and renamed into place.
// Training code only (LibTorch).
#pragma once

#include "finetune_recipe.h"
#include "metrics.h"
#include "train_config.h"

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace atelier {

class ProcessGroup;

// Learning rate at optimiser step `s` (0-based) of `total`: linear warmup, then cosine to 0.
double scheduled_lr(const TrainConfig& cfg, int64_t s, int64_t total);
// Example order of an epoch: a permutation that depends only on the seed and the epoch.
std::vector<size_t> epoch_order(size_t n, uint64_t seed, int64_t epoch);
// Deterministic split of n examples: (eval indices, train indices), each sorted.
std::pair<std::vector<size_t>, std::vector<size_t>> split_examples(size_t n, const TrainConfig& cfg);

// Data parallelism (training/distributed.h), shared by the recipes. `batch_size` is the whole run's:
// of the rows [begin, end) of a batch, rank r of N takes [begin + n·r/N, begin + n·(r+1)/N), n = end -
// begin (a share may be empty); `first_row` is its first row's place in the batch (dropout numbering).
struct RankShare {
    size_t begin = 0, end = 0;
    int64_t first_row = 0;
};
RankShare rank_share(size_t begin, size_t end, const ProcessGroup* group);
// The random seed of micro-batch `micro` of `epoch`: set before its forward on every rank (and in a
// single process), so dropout masks depend on the run's seed and the rows' places only.
uint64_t micro_batch_seed(uint64_t seed, int64_t epoch, int64_t micro);
// Intra-op threads for one process: cfg.threads, or 0 (all cores) shared among this machine's ranks.
int process_threads(const TrainConfig& cfg, const ProcessGroup* group);
// Whether this process writes the run's files (checkpoints, config, adapter): rank 0, or the only one.
bool writes_run_files(const ProcessGroup* group);
// The checkpoint a (re)start continues from ("" = fresh): rank 0 chooses (resumable_checkpoint,
// telling `note`), the others take its answer.
std::string checkpoint_to_resume(const std::string& out, bool resume, ProcessGroup* group,
                                 const std::function<void(const std::string&)>& note);
// Whether the run stops after this step: any rank's request, agreed by all (every rank calls it
// at the same step).
bool agreed_stop(bool requested, ProcessGroup* group);
// An evaluation's loss sum and token count over all ranks (unchanged without a group).
void sum_over_ranks(ProcessGroup* group, double& sum, int64_t& tokens);
// The end of a data-parallel step's backward on every rank: gradients summed (each rank's loss was
// divided by the whole batch's trained tokens, so the sum is the one-process gradient; a parameter
// no rank has a gradient for keeps none), the loss sum and token count summed, each rank's own rate
// gathered. log() records
// rank<r>_tokens_per_second and allreduce_seconds (the step's time in collectives) on rank 0's sink.
struct RankFigures {
    int64_t tokens = 0;  // positions of the whole batch
    std::vector<double> rates;
    double comm_seconds = 0;
    // Returns the summed loss; `seconds` is this rank's step so far (collectives included).
    double reduce(ProcessGroup& group, const std::vector<torch::Tensor>& params, double loss_sum,
                  int64_t local_tokens, double seconds);
    void log(MetricSink* sink, int64_t step) const;
};

// Where a recipe is in its run.
struct TrainPosition {
    int64_t step = 0, epoch = 0, micro = 0, total = 0;
    double eval_loss = -1;
};

// The end of every optimiser step: gradients clipped (max_grad_norm; 0 = measured only), the
// scheduled rate set on each parameter group (scaled from the group's base rate; `base_lr` empty:
// cfg.lr everywhere), the update, `step` advanced, and the step's figures logged to `sink` (loss per
// trained token, lr, grad_norm, tokens_per_second over `positions`, epoch as a fraction).
struct StepFigures {
    double loss_sum = 0;
    int64_t trained = 0, positions = 0;
    double seconds = 0, elapsed = 0;
};
inline double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}
TrainProgress finish_step(const TrainConfig& cfg, torch::optim::Optimizer& opt,
                          const std::vector<torch::Tensor>& params, const std::vector<double>& base_lr,
                          int64_t& step, int64_t total, int64_t epoch, double epoch_fraction,
                          const StepFigures& f, MetricSink* sink);

std::string checkpoint_name(int64_t step);  // "step-00000012"
// out/checkpoints/step-00000012: where the checkpoint of `step` ends up.
std::string checkpoint_dir(const std::string& out, int64_t step);
// A fresh temporary folder for the checkpoint of `step` under out/checkpoints.
std::string begin_checkpoint(const std::string& out, int64_t step);
// Saves the optimiser, random state and position into `tmp`, makes every file durable (fsync),
// reads the whole checkpoint back (checkpoint_problem), renames it into place and only then keeps
// the newest `keep`; returns the final folder. On any failure the temporary folder goes, the older
// checkpoints stay, and Error(Io) says why.
std::string finish_checkpoint(const std::string& tmp, torch::optim::Optimizer& opt, const TrainPosition& pos,
                              int64_t keep);
// "" when every file of the checkpoint folder reads back whole (trainer_state.json with its
// position, optimizer.pt and rng.pt archives with right CRCs, JSON that parses, safetensors whose
// headers fit); else what is wrong.
std::string checkpoint_problem(const std::string& dir);
// Restores the optimiser and random state and returns the position saved in `dir`.
TrainPosition load_checkpoint(const std::string& dir, torch::optim::Optimizer& opt);
// The newest checkpoint folder under out/checkpoints with a trainer_state.json ("" when none).
std::string newest_checkpoint(const std::string& out);
// The newest checkpoint that reads back whole; each damaged newer one is passed to `note` (why,
// and that an older one is tried) and renamed ".damaged-step-…" once an older one is found. "" when
// there is none at all; Error(Io) when there are checkpoints but every one is damaged (a fresh start
// would silently lose the run).
std::string resumable_checkpoint(const std::string& out, const std::function<void(const std::string&)>& note);

}  // namespace atelier

#include "recipe_common.h"

#include "distributed.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json_util.h"
#include "common/mix64.h"
#include "io/safetensors.h"
#include "io/zip_reader.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <numeric>
#include <random>
#include <thread>

namespace fs = std::filesystem;
using nlohmann::json;

namespace atelier {

double scheduled_lr(const TrainConfig& cfg, int64_t s, int64_t total) {
    const int64_t warm = static_cast<int64_t>(std::llround(cfg.warmup_ratio * static_cast<double>(total)));
    if (warm > 0 && s < warm) return cfg.lr * static_cast<double>(s + 1) / static_cast<double>(warm);
    const double progress =
        total > warm ? static_cast<double>(s - warm) / static_cast<double>(std::max<int64_t>(1, total - warm))
                     : 1.0;
    return cfg.lr * 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, progress)));
}

std::vector<size_t> epoch_order(size_t n, uint64_t seed, int64_t epoch) {
    std::vector<size_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    std::mt19937_64 rng(seed * 1000003ULL + static_cast<uint64_t>(epoch));
    for (size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng() % i]);  // Fisher-Yates
    return idx;
}

std::pair<std::vector<size_t>, std::vector<size_t>> split_examples(size_t n, const TrainConfig& cfg) {
    std::vector<size_t> idx(n);
    std::iota(idx.begin(), idx.end(), 0);
    std::mt19937_64 rng(cfg.seed);
    for (size_t i = idx.size(); i > 1; --i) std::swap(idx[i - 1], idx[rng() % i]);
    size_t n_eval = 0;
    if (cfg.eval_fraction > 0)
        n_eval = std::max<size_t>(1, static_cast<size_t>(cfg.eval_fraction * static_cast<double>(n)));
    if (n_eval >= n) throw Error(ErrorCode::BadConfig, "eval_fraction", "leaves no example to train on");
    std::vector<size_t> eval(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(n_eval));
    std::vector<size_t> train(idx.begin() + static_cast<std::ptrdiff_t>(n_eval), idx.end());
    std::sort(eval.begin(), eval.end());
    std::sort(train.begin(), train.end());
    return {eval, train};
}

TrainProgress finish_step(const TrainConfig& cfg, torch::optim::Optimizer& opt,
                          const std::vector<torch::Tensor>& params, const std::vector<double>& base_lr,
                          int64_t& step, int64_t total, int64_t epoch, double epoch_fraction,
                          const StepFigures& f, MetricSink* sink) {
    const double grad_norm =
        torch::nn::utils::clip_grad_norm_(params, cfg.max_grad_norm > 0 ? cfg.max_grad_norm : 1e30);
    const double lr = scheduled_lr(cfg, step, total);
    auto& groups = opt.param_groups();
    for (size_t g = 0; g < groups.size(); ++g)
        static_cast<torch::optim::AdamWOptions&>(groups[g].options())
            .lr(base_lr.empty() ? lr : base_lr.at(g) * lr / cfg.lr);
    opt.step();
    ++step;
    TrainProgress p;
    p.step = step;
    p.total_steps = total;
    p.epoch = epoch;
    p.loss = f.loss_sum / static_cast<double>(std::max<int64_t>(1, f.trained));
    p.lr = lr;
    p.grad_norm = grad_norm;
    p.tokens_per_second = f.seconds > 0 ? static_cast<double>(f.positions) / f.seconds : 0;
    p.elapsed_seconds = f.elapsed;
    if (sink) {
        sink->log("loss", p.loss, step);
        sink->log("lr", lr, step);
        sink->log("grad_norm", grad_norm, step);
        sink->log("tokens_per_second", p.tokens_per_second, step);
        sink->log("epoch", static_cast<double>(epoch) + epoch_fraction, step);
    }
    return p;
}

std::string checkpoint_name(int64_t step) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "step-%08lld", static_cast<long long>(step));
    return buf;
}

std::string checkpoint_dir(const std::string& out, int64_t step) {
    return (fs::path(out) / "checkpoints" / checkpoint_name(step)).string();
}

std::string begin_checkpoint(const std::string& out, int64_t step) {
    const fs::path root = fs::path(out) / "checkpoints";
    fs::create_directories(root);
    const fs::path tmp = root / ("." + checkpoint_name(step) + ".tmp");
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp);
    return tmp.string();
}

std::string checkpoint_problem(const std::string& dir_str) {
    const fs::path dir(dir_str);
    try {
        if (!fs::is_regular_file(dir / "trainer_state.json")) return "trainer_state.json is missing";
        const json st = parse_json_object(read_text_file((dir / "trainer_state.json").string()),
                                          (dir / "trainer_state.json").string(), "trainer state");
        for (const char* key : {"step", "epoch", "micro"})
            if (!st.contains(key) || !st[key].is_number_integer())
                return std::string("trainer_state.json has no integer '") + key + "'";
        for (const char* needed : {"optimizer.pt", "rng.pt"})
            if (!fs::is_regular_file(dir / needed)) return std::string(needed) + " is missing";
        // Every file reads back whole: JSON parses, safetensors headers match their sizes, and
        // torch.save archives (zip) have their central directory, local headers within the file and
        // the CRC-32 of every stored entry right (TorchScript's few compressed code entries are
        // bounds-checked only: there is no inflate here).
        for (const auto& entry : fs::directory_iterator(dir)) {
            const fs::path p = entry.path();
            const std::string ext = p.extension().string();
            if (ext == ".json") {
                parse_json(read_text_file(p.string()), p.string(), p.filename().string());
            } else if (ext == ".safetensors") {
                SafetensorsFile::open(p.string());
            } else if (ext == ".pt") {
                ZipReader zip(MappedFile::open(p.string()));
                for (const auto& e : zip.entries())
                    if (e.method == 0) zip.check_crc(e);
            }
        }
    } catch (const std::exception& e) {
        return e.what();
    }
    return "";
}

std::string finish_checkpoint(const std::string& tmp_dir, torch::optim::Optimizer& opt,
                              const TrainPosition& pos, int64_t keep) {
    const fs::path tmp(tmp_dir);
    const fs::path root = tmp.parent_path();
    const fs::path final_dir = root / checkpoint_name(pos.step);
    std::error_code ec;
    try {
        torch::save(opt, (tmp / "optimizer.pt").string());
        torch::Tensor rng_state = at::detail::getDefaultCPUGenerator().get_state();
        torch::save(rng_state, (tmp / "rng.pt").string());
        write_text_file((tmp / "trainer_state.json").string(), json{{"step", pos.step},
                                                                    {"epoch", pos.epoch},
                                                                    {"micro", pos.micro},
                                                                    {"total_steps", pos.total},
                                                                    {"eval_loss", pos.eval_loss}}
                                                                   .dump(2));
        // torch::save streams through a buffered writer: make its bytes durable, then read the
        // whole checkpoint back before it may replace (and prune) the older ones.
        for (const auto& entry : fs::directory_iterator(tmp)) sync_path(entry.path().string());
        sync_path(tmp.string());
        const std::string problem = checkpoint_problem(tmp.string());
        if (!problem.empty())
            throw Error(ErrorCode::Io, tmp.string(), "the checkpoint did not read back whole: " + problem);
    } catch (const c10::Error& e) {  // e.g. "PytorchStreamWriter failed writing file" on a full disk
        fs::remove_all(tmp, ec);
        throw Error(ErrorCode::Io, tmp.string(),
                    std::string("cannot save the checkpoint: ") + e.what_without_backtrace());
    } catch (...) {
        fs::remove_all(tmp, ec);
        throw;
    }
    fs::remove_all(final_dir, ec);
    fs::rename(tmp, final_dir, ec);
    if (ec)
        throw Error(ErrorCode::Io, final_dir.string(),
                    "cannot move the checkpoint into place: " + ec.message());
    sync_path(root.string());
    // Older checkpoints beyond the newest `keep` go. A folder newer than this one is left from an
    // attempt that died after it (its steps are being redone): it goes too, so it can never outrank
    // and prune the checkpoints of this attempt.
    std::vector<fs::path> all;
    for (const auto& e : fs::directory_iterator(root)) {
        const std::string name = e.path().filename().string();
        if (name.rfind("step-", 0) != 0) continue;
        if (name > final_dir.filename().string())
            fs::remove_all(e.path(), ec);
        else
            all.push_back(e.path());
    }
    std::sort(all.begin(), all.end());
    for (size_t i = 0; i + static_cast<size_t>(std::max<int64_t>(keep, 1)) < all.size(); ++i)
        fs::remove_all(all[i], ec);
    return final_dir.string();
}

TrainPosition load_checkpoint(const std::string& dir, torch::optim::Optimizer& opt) {
    torch::load(opt, (fs::path(dir) / "optimizer.pt").string());
    torch::Tensor rng_state;
    torch::load(rng_state, (fs::path(dir) / "rng.pt").string());
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    gen.set_state(rng_state);
    const std::string where = (fs::path(dir) / "trainer_state.json").string();
    json st;
    try {
        st = parse_json_object(read_text_file(where), where, "trainer state");
        TrainPosition p;
        p.step = st.at("step").get<int64_t>();
        p.epoch = st.at("epoch").get<int64_t>();
        p.micro = st.at("micro").get<int64_t>();
        p.total = st.value("total_steps", int64_t{0});
        p.eval_loss = st.value("eval_loss", -1.0);
        return p;
    } catch (const json::exception& e) {
        throw Error(ErrorCode::BadJson, where, std::string("damaged trainer state: ") + e.what());
    }
}

namespace {

// out/checkpoints/step-* folders, newest first.
std::vector<fs::path> checkpoints_newest_first(const std::string& out_dir) {
    const fs::path dir = fs::path(out_dir) / "checkpoints";
    std::vector<fs::path> all;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return all;
    for (const auto& entry : fs::directory_iterator(dir, ec))
        if (entry.path().filename().string().rfind("step-", 0) == 0 && entry.is_directory(ec))
            all.push_back(entry.path());
    std::sort(all.begin(), all.end(), [](const fs::path& a, const fs::path& b) { return a > b; });
    return all;
}

}  // namespace

std::string newest_checkpoint(const std::string& out_dir) {
    for (const auto& p : checkpoints_newest_first(out_dir))
        if (fs::is_regular_file(p / "trainer_state.json")) return p.string();
    return "";
}

std::string resumable_checkpoint(const std::string& out_dir,
                                 const std::function<void(const std::string&)>& note) {
    std::string first_problem;
    std::vector<fs::path> damaged;
    for (const auto& p : checkpoints_newest_first(out_dir)) {
        const std::string problem = checkpoint_problem(p.string());
        if (problem.empty()) {
            // The damaged newer ones are kept for inspection under a name that is no longer a
            // checkpoint's: they can neither be resumed nor outrank what the resumed run writes.
            for (const auto& d : damaged) {
                std::error_code ec;
                const fs::path aside = d.parent_path() / (".damaged-" + d.filename().string());
                fs::remove_all(aside, ec);
                fs::rename(d, aside, ec);
            }
            return p.string();
        }
        if (first_problem.empty()) first_problem = p.filename().string() + ": " + problem;
        if (note)
            note("checkpoint " + p.string() + " cannot be resumed (" + problem + "); trying an older one");
        damaged.push_back(p);
    }
    if (!first_problem.empty())
        throw Error(ErrorCode::Io, (fs::path(out_dir) / "checkpoints").string(),
                    "no checkpoint can be resumed: " + first_problem);
    return "";
}

RankShare rank_share(size_t begin, size_t end, const ProcessGroup* group) {
    if (!group || group->size() == 1) return {begin, end, 0};
    const size_t n = end - begin, N = static_cast<size_t>(group->size()),
                 r = static_cast<size_t>(group->rank());
    const size_t lo = n * r / N, hi = n * (r + 1) / N;
    return {begin + lo, begin + hi, static_cast<int64_t>(lo)};
}

uint64_t micro_batch_seed(uint64_t seed, int64_t epoch, int64_t micro) {
    // Distinct, well-mixed seeds for every micro-batch (non-negative: torch::manual_seed's range).
    const uint64_t counter = static_cast<uint64_t>(epoch) * 1000003ULL + static_cast<uint64_t>(micro) + 1;
    return mix64(seed ^ (kGoldenGamma * counter)) & 0x7fffffffffffffffULL;
}

int process_threads(const TrainConfig& cfg, const ProcessGroup* group) {
    if (cfg.threads > 0 || !group || group->options().local_world_size == 1) return cfg.threads;
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    return std::max(1, cores / group->options().local_world_size);
}

bool writes_run_files(const ProcessGroup* group) {
    return !group || group->rank() == 0;
}

std::string checkpoint_to_resume(const std::string& out, bool resume, ProcessGroup* group,
                                 const std::function<void(const std::string&)>& note) {
    std::string checkpoint;
    if (resume && writes_run_files(group)) checkpoint = resumable_checkpoint(out, note);
    return group ? group->share("resume-checkpoint", checkpoint) : checkpoint;
}

bool agreed_stop(bool requested, ProcessGroup* group) {
    return group ? group->allreduce_max(requested ? 1 : 0) > 0 : requested;
}

void sum_over_ranks(ProcessGroup* group, double& sum, int64_t& tokens) {
    if (!group) return;
    sum = group->allreduce_sum(sum);
    tokens = group->allreduce_sum(tokens);
}

namespace {

void allreduce_gradients(ProcessGroup& group, const std::vector<torch::Tensor>& params) {
    // A parameter no rank computed a gradient for keeps none (the optimiser skips it, as one process
    // would); one that some rank did gets zeros elsewhere, then the sum.
    auto defined = torch::zeros({static_cast<int64_t>(params.size())}, torch::kFloat64);
    auto* d = defined.data_ptr<double>();
    for (size_t i = 0; i < params.size(); ++i) d[i] = params[i].grad().defined() ? 1 : 0;
    group.allreduce_sum({defined});
    std::vector<torch::Tensor> grads;
    for (size_t i = 0; i < params.size(); ++i) {
        if (d[i] == 0) continue;
        const torch::Tensor& p = params[i];
        if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
        grads.push_back(p.grad());
    }
    group.allreduce_sum(grads);
}

}  // namespace

double RankFigures::reduce(ProcessGroup& group, const std::vector<torch::Tensor>& params, double loss_sum,
                           int64_t local_tokens, double seconds) {
    const double compute = seconds - group.take_comm_seconds();
    allreduce_gradients(group, params);
    const double loss = group.allreduce_sum(loss_sum);
    rates = group.allgather(compute > 0 ? static_cast<double>(local_tokens) / compute : 0.0);
    tokens = group.allreduce_sum(local_tokens);
    comm_seconds = group.take_comm_seconds();
    return loss;
}

void RankFigures::log(MetricSink* sink, int64_t step) const {
    if (!sink) return;
    for (size_t r = 0; r < rates.size(); ++r)
        sink->log("rank" + std::to_string(r) + "_tokens_per_second", rates[r], step);
    sink->log("allreduce_seconds", comm_seconds, step);
}

}  // namespace atelier

#include "recipe_common.h"

#include "common/error.h"
#include "common/files.h"

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <numeric>
#include <random>

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

std::string begin_checkpoint(const std::string& out, int64_t step) {
    const fs::path root = fs::path(out) / "checkpoints";
    fs::create_directories(root);
    const fs::path tmp = root / ("." + checkpoint_name(step) + ".tmp");
    std::error_code ec;
    fs::remove_all(tmp, ec);
    fs::create_directories(tmp);
    return tmp.string();
}

std::string finish_checkpoint(const std::string& tmp_dir, torch::optim::Optimizer& opt,
                              const TrainPosition& pos, int64_t keep) {
    const fs::path tmp(tmp_dir);
    const fs::path root = tmp.parent_path();
    const fs::path final_dir = root / checkpoint_name(pos.step);
    torch::save(opt, (tmp / "optimizer.pt").string());
    torch::Tensor rng_state = at::detail::getDefaultCPUGenerator().get_state();
    torch::save(rng_state, (tmp / "rng.pt").string());
    write_text_file((tmp / "trainer_state.json").string(), json{{"step", pos.step},
                                                                {"epoch", pos.epoch},
                                                                {"micro", pos.micro},
                                                                {"total_steps", pos.total},
                                                                {"eval_loss", pos.eval_loss}}
                                                               .dump(2));
    std::error_code ec;
    fs::remove_all(final_dir, ec);
    fs::rename(tmp, final_dir, ec);
    if (ec)
        throw Error(ErrorCode::Io, final_dir.string(),
                    "cannot move the checkpoint into place: " + ec.message());
    std::vector<fs::path> all;
    for (const auto& e : fs::directory_iterator(root))
        if (e.path().filename().string().rfind("step-", 0) == 0) all.push_back(e.path());
    std::sort(all.begin(), all.end());
    for (size_t i = 0; i + static_cast<size_t>(keep) < all.size(); ++i) fs::remove_all(all[i], ec);
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
        st = json::parse(read_text_file(where));
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

std::string newest_checkpoint(const std::string& out_dir) {
    const fs::path dir = fs::path(out_dir) / "checkpoints";
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return "";
    std::string best;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("step-", 0) == 0 && fs::is_regular_file(entry.path() / "trainer_state.json") &&
            name > fs::path(best).filename().string())
            best = entry.path().string();
    }
    return best;
}

}  // namespace atelier

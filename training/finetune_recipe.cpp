// The fine-tuning loop. Shapes: B batch, T tokens, V vocabulary.
#include "finetune_recipe.h"

#include "adapters/adapter_module.h"
#include "chat/chat_template.h"
#include "collate.h"
#include "common/error.h"
#include "common/files.h"
#include "distributed.h"
#include "model/llama.h"
#include "model/llama_module.h"
#include "model/torch_util.h"
#include "recipe_common.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace atelier {

struct FinetuneRecipe::Impl {
    TrainConfig cfg;
    MetricSink* sink = nullptr;
    ProcessGroup* group = nullptr;  // null: one process
    std::unique_ptr<LlamaModel> model;
    std::unique_ptr<Tokenizer> tok;
    Dataset data;
    std::vector<TokenizedExample> train, eval;
    std::unique_ptr<Adapter> adapter;
    std::unique_ptr<torch::optim::AdamW> optimizer;
    torch::Device device{torch::kCPU};
    int pad_id = 0;

    // Position: optimiser steps taken, the epoch, and micro-batches consumed in it.
    int64_t step = 0, epoch = 0, micro = 0;
    int64_t micro_per_epoch = 0, steps_per_epoch = 0, total = 0;
    double last_eval = -1;

    void log(const std::string& name, double v) {
        if (sink) sink->log(name, v, step);
    }
    void event(const std::string& kind, const std::string& detail) {
        if (sink) sink->event(kind, detail, step);
    }

    std::vector<size_t> order(int64_t e) const { return epoch_order(train.size(), cfg.seed, e); }

    // Right-padded batch: ids [B, T] and labels [B, T] (padding ignored by the loss).
    std::pair<torch::Tensor, torch::Tensor> batch(const std::vector<const TokenizedExample*>& rows) const {
        size_t T = 0;
        for (auto* r : rows) T = std::max(T, r->ids.size());
        const auto B = static_cast<int64_t>(rows.size());
        auto ids = torch::full({B, static_cast<int64_t>(T)}, pad_id, torch::kInt64);
        auto labels = torch::full({B, static_cast<int64_t>(T)}, kIgnoreLabel, torch::kInt64);
        auto ia = ids.accessor<int64_t, 2>();
        auto la = labels.accessor<int64_t, 2>();
        for (int64_t b = 0; b < B; ++b)
            for (size_t t = 0; t < rows[b]->ids.size(); ++t) {
                ia[b][t] = rows[b]->ids[t];
                la[b][t] = rows[b]->labels[t];
            }
        return {ids.to(device), labels.to(device)};
    }

    // Summed token loss and the number of trained tokens of one batch.
    std::pair<torch::Tensor, int64_t> loss_of(const torch::Tensor& ids, const torch::Tensor& labels) {
        auto& net = model->module();
        auto logits = net.forward(ids, 0, nullptr, false, /*f32_logits=*/false);  // [B, T, V]
        const int64_t V = logits.size(-1);
        auto sum = token_cross_entropy(logits.view({-1, V}), labels.view({-1}), kIgnoreLabel);
        return {sum, labels.ne(kIgnoreLabel).sum().item<int64_t>()};
    }

    std::vector<torch::Tensor> params() const {
        std::vector<torch::Tensor> out;
        for (const auto& [name, t] : adapter->parameters()) out.push_back(t);
        return out;
    }

    void make_optimizer() {
        std::vector<torch::Tensor> decay, no_decay;
        for (const auto& [name, t] : adapter->parameters())
            (Adapter::decays(name) ? decay : no_decay).push_back(t);
        auto opts = [&](double wd) {
            return std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(cfg.lr)
                                                                    .betas({cfg.beta1, cfg.beta2})
                                                                    .eps(cfg.eps)
                                                                    .weight_decay(wd));
        };
        std::vector<torch::optim::OptimizerParamGroup> groups;
        groups.emplace_back(decay, opts(cfg.weight_decay));
        groups.emplace_back(no_decay, opts(0.0));
        optimizer = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(cfg.lr));
    }
};

FinetuneRecipe::FinetuneRecipe(TrainConfig config, MetricSink* sink) : m(std::make_unique<Impl>()) {
    m->cfg = std::move(config);
    m->sink = sink;
}

FinetuneRecipe::~FinetuneRecipe() = default;

void FinetuneRecipe::set_process_group(ProcessGroup* group) {
    m->group = group;
}

int64_t FinetuneRecipe::step() const {
    return m->step;
}
int64_t FinetuneRecipe::total_steps() const {
    return m->total;
}
int64_t FinetuneRecipe::trainable_parameters() const {
    return m->adapter ? m->adapter->num_parameters() : 0;
}
int64_t FinetuneRecipe::train_examples() const {
    return static_cast<int64_t>(m->train.size());
}
int64_t FinetuneRecipe::eval_examples() const {
    return static_cast<int64_t>(m->eval.size());
}
const Dataset& FinetuneRecipe::dataset() const {
    return m->data;
}
const TrainConfig& FinetuneRecipe::config() const {
    return m->cfg;
}

std::string FinetuneRecipe::latest_checkpoint(const std::string& out_dir) {
    return newest_checkpoint(out_dir);
}

void FinetuneRecipe::setup(bool resume) {
    TrainConfig& cfg = m->cfg;
    cfg.validate();
    init_engine_threads(process_threads(cfg, m->group));
    LoadOptions lo;
    lo.device = cfg.device;
    lo.dtype = cfg.dtype;
    lo.context_length = 8;        // training does not use the generation cache
    lo.background_arena = false;  // the recipe drives the module itself: weights in place before step 1
    m->model = LlamaModel::load(cfg.model, lo);
    m->device = torch::Device(m->model->device());
    if (m->model->tokenizer_path().empty())
        throw Error(ErrorCode::FileNotFound, cfg.model,
                    "no tokenizer.json or tokenizer.model beside the weights");
    m->tok = load_tokenizer(m->model->tokenizer_path());
    m->pad_id = std::max(0, m->tok->eos_id());
    const ChatTemplate tpl = template_for_model(m->model->tokenizer_config_path(), cfg.template_name);
    cfg.adapter.base_model = cfg.model;

    DatasetOptions dopt;
    dopt.format = dataset_format_from_name(cfg.format);
    dopt.skip_bad_rows = cfg.skip_bad_rows;
    m->data = Dataset::load(cfg.data, dopt);
    for (const auto& issue : m->data.issues)
        m->event("info", "skipped " + issue.file + ":" + std::to_string(issue.line) + ": " + issue.message);

    // Deterministic split, then tokenization.
    const auto [eval_idx, train_idx] = split_examples(m->data.examples.size(), cfg);
    for (const auto* part : {&eval_idx, &train_idx})
        for (size_t i : *part) {
            TokenizedExample t = tokenize_example(m->data.examples[i], tpl, *m->tok, cfg.max_length);
            if (t.trained_tokens() == 0) {
                m->event("info", "skipped " + cfg.data + ":" + std::to_string(t.line) +
                                     ": the reply does not fit in max_length tokens");
                continue;
            }
            (part == &eval_idx ? m->eval : m->train).push_back(std::move(t));
        }
    if (m->train.empty())
        throw Error(ErrorCode::BadConfig, "max_length", "no example keeps a reply within max_length tokens");
    if (cfg.packing) m->train = pack_examples(m->train, cfg.max_length);

    m->micro_per_epoch = (static_cast<int64_t>(m->train.size()) + cfg.batch_size - 1) / cfg.batch_size;
    m->steps_per_epoch = (m->micro_per_epoch + cfg.grad_accum - 1) / cfg.grad_accum;
    m->total = m->steps_per_epoch * cfg.epochs;
    if (cfg.max_steps > 0) m->total = std::min(m->total, cfg.max_steps);

    const std::string checkpoint = checkpoint_to_resume(
        cfg.out, resume, m->group, [&](const std::string& why) { m->event("info", why); });
    auto& net = m->model->module();
    torch::manual_seed(cfg.seed);
    if (checkpoint.empty()) {
        m->adapter = Adapter::create(cfg.adapter, net.config, cfg.seed, &net);
        m->adapter->to(m->device);
    } else {
        m->adapter = Adapter::load(checkpoint, net.config);
        m->adapter->to(m->device);
    }
    m->adapter->attach(net);
    net.gradient_checkpointing = cfg.gradient_checkpointing;
    m->make_optimizer();
    if (!checkpoint.empty()) {
        const TrainPosition p = load_checkpoint(checkpoint, *m->optimizer);
        m->step = p.step;
        m->epoch = p.epoch;
        m->micro = p.micro;
        m->last_eval = p.eval_loss;
        m->event("resumed", checkpoint);
    }
    if (writes_run_files(m->group)) {
        fs::create_directories(cfg.out);
        write_text_file((fs::path(cfg.out) / "train_config.json").string(), cfg.to_json());
    }
}

double FinetuneRecipe::evaluate() {
    if (m->eval.empty()) return -1;
    m->adapter->set_training(false);
    torch::NoGradGuard no_grad;
    double sum = 0;
    int64_t tokens = 0;
    for (size_t b = 0; b < m->eval.size(); b += static_cast<size_t>(m->cfg.batch_size)) {
        const RankShare share =
            rank_share(b, std::min(m->eval.size(), b + static_cast<size_t>(m->cfg.batch_size)), m->group);
        std::vector<const TokenizedExample*> rows;
        for (size_t i = share.begin; i < share.end; ++i) rows.push_back(&m->eval[i]);
        if (rows.empty()) continue;
        auto [ids, labels] = m->batch(rows);
        auto [loss, n] = m->loss_of(ids, labels);
        sum += loss.item<double>();
        tokens += n;
    }
    sum_over_ranks(m->group, sum, tokens);
    m->last_eval = tokens ? sum / static_cast<double>(tokens) : -1;
    m->log("eval_loss", m->last_eval);
    return m->last_eval;
}

std::string FinetuneRecipe::save_checkpoint() {
    if (!writes_run_files(m->group)) return checkpoint_dir(m->cfg.out, m->step);
    const std::string tmp = begin_checkpoint(m->cfg.out, m->step);
    m->adapter->save(tmp);
    const std::string dir = finish_checkpoint(
        tmp, *m->optimizer, {m->step, m->epoch, m->micro, m->total, m->last_eval}, m->cfg.keep_checkpoints);
    m->event("checkpoint", dir);
    return dir;
}

TrainResult FinetuneRecipe::train(const std::atomic<bool>* stop,
                                  const std::function<void(const TrainProgress&)>& on_step) {
    Impl& s = *m;
    const TrainConfig& cfg = s.cfg;
    TrainResult result;
    const auto t0 = Clock::now();
    s.event("start", std::to_string(s.total) + " steps, " + std::to_string(s.train.size()) + " examples, " +
                         std::to_string(trainable_parameters()) + " trainable parameters");
    std::vector<size_t> order = s.order(s.epoch);
    auto params = s.params();
    if (s.group) s.group->broadcast_from_rank0(params);  // every rank starts from rank 0's weights

    while (s.step < s.total) {
        const auto ts = Clock::now();
        if (s.group) s.group->take_comm_seconds();  // earlier collectives are not this step's
        s.adapter->set_training(true);
        s.optimizer->zero_grad();
        // One optimiser step: up to grad_accum micro-batches, never across an epoch boundary. With
        // several processes each takes its share of every micro-batch.
        const int64_t accum = std::min(cfg.grad_accum, s.micro_per_epoch - s.micro);
        std::vector<std::pair<torch::Tensor, torch::Tensor>> batches;
        std::vector<int64_t> first_rows;
        int64_t step_tokens = 0, trained = 0;
        for (int64_t a = 0; a < accum; ++a) {
            const size_t begin = static_cast<size_t>((s.micro + a) * cfg.batch_size);
            const RankShare share = rank_share(
                begin, std::min(order.size(), begin + static_cast<size_t>(cfg.batch_size)), s.group);
            std::vector<const TokenizedExample*> rows;
            for (size_t i = share.begin; i < share.end; ++i) rows.push_back(&s.train[order[i]]);
            for (auto* r : rows) step_tokens += static_cast<int64_t>(r->ids.size());
            first_rows.push_back(share.first_row);
            batches.push_back(rows.empty() ? std::pair<torch::Tensor, torch::Tensor>{} : s.batch(rows));
            if (!rows.empty()) trained += batches.back().second.ne(kIgnoreLabel).sum().item<int64_t>();
        }
        // The step's loss is the mean over all trained tokens of its micro-batches (of every rank).
        if (s.group) trained = s.group->allreduce_sum(trained);
        double loss_sum = 0;
        for (int64_t a = 0; a < accum; ++a) {
            // Dropout masks follow the micro-batch and the rows' places in it, whoever computes them.
            torch::manual_seed(micro_batch_seed(cfg.seed, s.epoch, s.micro + a));
            set_dropout_first_row(first_rows[a]);
            auto& [ids, labels] = batches[a];
            if (!ids.defined()) continue;
            auto [loss, n] = s.loss_of(ids, labels);
            (loss / static_cast<double>(std::max<int64_t>(1, trained))).backward();
            loss_sum += loss.item<double>();
        }
        set_dropout_first_row(0);
        RankFigures ranks;
        if (s.group) {
            loss_sum = ranks.reduce(*s.group, params, loss_sum, step_tokens, seconds_since(ts));
            step_tokens = ranks.tokens;
        }
        s.micro += accum;
        const StepFigures f{loss_sum, trained, step_tokens, seconds_since(ts), seconds_since(t0)};
        const TrainProgress p =
            finish_step(cfg, *s.optimizer, params, {}, s.step, s.total, s.epoch,
                        static_cast<double>(s.micro) / static_cast<double>(s.micro_per_epoch), f, s.sink);
        if (s.group) ranks.log(s.sink, s.step);
        result.last_loss = p.loss;

        bool epoch_end = false;
        if (s.micro >= s.micro_per_epoch) {
            epoch_end = true;
            ++s.epoch;
            s.micro = 0;
            order = s.order(s.epoch);
        }
        const bool last = s.step >= s.total;
        if ((cfg.eval_every > 0 && s.step % cfg.eval_every == 0) || (cfg.eval_every == 0 && epoch_end) ||
            last)
            evaluate();
        if (on_step) on_step(p);
        if ((cfg.save_every > 0 && s.step % cfg.save_every == 0) || (cfg.save_every == 0 && epoch_end) ||
            last)
            result.checkpoint_dir = save_checkpoint();
        // Every rank stops at the same step: the request reaches any one of them.
        if (!last && agreed_stop(stop && stop->load(), s.group)) {
            if (result.checkpoint_dir.empty() ||
                fs::path(result.checkpoint_dir).filename() != checkpoint_name(s.step))
                result.checkpoint_dir = save_checkpoint();
            result.status = TrainStatus::Stopped;
            result.steps = s.step;
            result.last_eval_loss = s.last_eval;
            s.event("stopped", result.checkpoint_dir);
            return result;
        }
    }
    s.adapter->set_training(false);
    result.adapter_dir = (fs::path(cfg.out) / "adapter").string();
    if (writes_run_files(s.group)) s.adapter->save(result.adapter_dir);
    result.steps = s.step;
    result.last_eval_loss = s.last_eval;
    result.status = TrainStatus::Finished;
    s.event("finished", result.adapter_dir);
    return result;
}

}  // namespace atelier

// The multimodal training loop. Shapes: B batch, T positions, D LLM width, V vocabulary,
// H heads, L layers.
#include "multimodal_recipe.h"

#include "adapters/adapter_module.h"
#include "chat/chat_template.h"
#include "collate.h"
#include "common/error.h"
#include "common/files.h"
#include "common/sha256.h"
#include "distributed.h"
#include "media_tower.h"
#include "model/llama.h"
#include "model/llama_module.h"
#include "model/torch_util.h"
#include "multimodal/bundle.h"
#include "multimodal/multimodal_model.h"
#include "recipe_common.h"
#include "session/prompt_layout.h"
#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace atelier {

namespace {

// One example as the model sees it: text runs (ids, trained or not) and attachments, in order.
struct Element {
    std::vector<int> ids;
    std::vector<bool> trained;
    bool media = false;
    Attachment attachment;
    int64_t media_tokens = 0;  // known before encoding
};
struct Item {
    std::vector<Element> elements;
    int64_t positions = 0, line = 0;

    // True when a trained token sits at a position 1..max_length-1 (something to predict is kept).
    bool trains_within(int64_t max_length) const {
        int64_t pos = 0;
        for (const Element& el : elements) {
            if (!el.media)
                for (size_t k = 0; k < el.ids.size(); ++k)
                    if (el.trained[k] && pos + static_cast<int64_t>(k) >= 1 &&
                        pos + static_cast<int64_t>(k) < max_length)
                        return true;
            pos += el.media ? el.media_tokens : static_cast<int64_t>(el.ids.size());
        }
        return false;
    }
};

// The gated path in training: tanh(gate_b[layer]) * vec_b added to each layer's attention output,
// per batch row (rows without gated media add zero). Chains to an adapter's prefix hook.
struct TrainGatedHook : AttentionHook {
    std::shared_ptr<AttentionHook> prev;
    torch::Tensor vec;    // [B, H, 1, hd]
    torch::Tensor gates;  // [B, L]
    torch::Tensor extra(int64_t layer, const torch::Tensor& q) override {
        torch::Tensor base = prev ? prev->extra(layer, q) : torch::Tensor();
        if (!vec.defined()) return base;
        auto g = torch::tanh(gates.select(1, layer)).view({-1, 1, 1, 1});
        auto add = (g * vec).to(q.scalar_type()).expand(q.sizes());  // [B, H, T, hd]
        return base.defined() ? base + add : add;
    }
};

// Inside the bundle: relative (the bundle moves as a whole); outside: absolute (it stays valid
// wherever the bundle is copied on this machine).
std::string relative_to(const std::string& target, const std::string& dir) {
    std::error_code ec;
    const fs::path abs = fs::absolute(target, ec).lexically_normal();
    const fs::path rel = abs.lexically_relative(fs::absolute(dir, ec).lexically_normal());
    return rel.empty() || *rel.begin() == ".." ? abs.string() : rel.string();
}

bool decays(const std::string& name) {
    const bool bias = name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    return !bias && name.find("norm") == std::string::npos && name.find("gates") == std::string::npos &&
           name.find("embedding") == std::string::npos && name.find("latents") == std::string::npos;
}

}  // namespace

struct MultimodalRecipe::Impl {
    TrainConfig cfg;
    MetricSink* sink = nullptr;
    ProcessGroup* group = nullptr;  // null: one process
    bool training = false;          // set_training's
    std::string bundle_src, llm_path, base_adapter, template_name;
    std::unique_ptr<LlamaModel> model;
    std::unique_ptr<Tokenizer> tok;
    std::unique_ptr<MediaTower> tower;
    std::unique_ptr<Adapter> adapter;
    std::vector<std::shared_ptr<TrainGatedHook>> hooks;
    std::unique_ptr<torch::optim::AdamW> optimizer;
    std::vector<double> base_lr;  // per parameter group
    std::vector<torch::Tensor> params;
    std::vector<Item> train, eval;
    std::set<std::string> modalities;
    torch::Device device{torch::kCPU};
    int64_t trainable = 0;
    int64_t step = 0, epoch = 0, micro = 0, micro_per_epoch = 0, total = 0;
    double last_eval = -1;

    void log(const std::string& name, double v) {
        if (sink) sink->log(name, v, step);
    }
    void event(const std::string& kind, const std::string& detail) {
        if (sink) sink->event(kind, detail, step);
    }

    // Throws for media the tower cannot read or cannot open.
    Item layout(const Example& e, const ChatTemplate& tpl) {
        std::vector<Attachment> media;
        for (const auto& r : e.media) media.push_back({r.kind, r.path});
        std::string system;
        const auto turns = turns_with_media(e.messages, media, &system);
        Item item;
        item.line = e.line;
        for (const PromptPiece& p : layout_prompt(turns, system, &tpl, /*add_generation_prompt=*/false)) {
            Element el;
            if (p.media) {
                el.media = true;
                el.attachment = p.attachment;
                el.media_tokens = tower->cost(p.attachment);
                item.positions += el.media_tokens;
                modalities.insert(p.attachment.modality);
            } else {
                el.ids = encode_rendered(p.rendered, *tok, &el.trained);
                item.positions += static_cast<int64_t>(el.ids.size());
            }
            item.elements.push_back(std::move(el));
        }
        return item;
    }

    // Input embeddings [1, T, D], labels (position i predicts i+1 where that token trains), and
    // the row's gated vector [1, D] and gates [L] (undefined without gated media).
    struct Row {
        torch::Tensor h, vec, gates;
        std::vector<int64_t> ids;  // -1 at media positions
        std::vector<int64_t> labels;
    };
    Row row(const Item& item) {
        auto& net = model->module();
        std::vector<torch::Tensor> parts;
        std::vector<bool> trained;
        Row r;
        std::vector<int64_t>& ids = r.ids;
        for (const Element& el : item.elements) {
            if (!el.media) {
                if (el.ids.empty()) continue;
                std::vector<int64_t> v(el.ids.begin(), el.ids.end());
                parts.push_back(net.embed(torch::tensor(v, torch::kInt64).unsqueeze(0).to(device)));
                ids.insert(ids.end(), v.begin(), v.end());
                trained.insert(trained.end(), el.trained.begin(), el.trained.end());
                continue;
            }
            for (MediaPart& mp : tower->embed(el.attachment)) {
                if (mp.gated()) {
                    r.vec = r.vec.defined() ? r.vec + mp.vec : mp.vec;
                    if (!r.gates.defined()) r.gates = mp.gates;
                    continue;
                }
                parts.push_back(mp.tokens);
                ids.insert(ids.end(), static_cast<size_t>(mp.tokens.size(1)), -1);
                trained.insert(trained.end(), static_cast<size_t>(mp.tokens.size(1)), false);
            }
        }
        const auto dtype = net.compute_dtype;
        for (auto& p : parts) p = p.to(dtype);
        r.h = torch::cat(parts, 1);
        int64_t T = r.h.size(1);
        if (T > cfg.max_length) {
            r.h = r.h.narrow(1, 0, cfg.max_length);
            T = cfg.max_length;
        }
        ids.resize(static_cast<size_t>(T));
        r.labels.assign(static_cast<size_t>(T), kIgnoreLabel);
        for (int64_t i = 0; i + 1 < T; ++i)
            if (trained[static_cast<size_t>(i + 1)])
                r.labels[static_cast<size_t>(i)] = ids[static_cast<size_t>(i + 1)];
        return r;
    }

    // How many leading positions every row shares and can run once for the whole batch: the same
    // text tokens (the template's preamble, a common system prompt), none of them predicting a
    // trained token, and at least one position left in each row. 0 when sharing does not apply.
    // Not while LoRA dropout trains: each row must draw its own prefix mask (one shared mask is another
    // model, and would make a row's mask depend on which rows share its batch, so data-parallel
    // processes would not follow the one-process curve).
    int64_t shared_prefix(const std::vector<Row>& rows) const {
        if (rows.size() < 2 || model->module().gradient_checkpointing) return 0;
        if (training && cfg.multimodal.trains_adapter() && cfg.adapter.is_lora() &&
            cfg.adapter.lora_dropout > 0)
            return 0;
        int64_t P = rows[0].h.size(1) - 1;
        for (const Row& r : rows) {
            if (r.vec.defined()) return 0;  // a gated vector reaches every position of its row
            P = std::min<int64_t>(P, r.h.size(1) - 1);
            int64_t i = 0;
            while (i < P && r.ids[static_cast<size_t>(i)] >= 0 &&
                   r.ids[static_cast<size_t>(i)] == rows[0].ids[static_cast<size_t>(i)] &&
                   r.labels[static_cast<size_t>(i)] == kIgnoreLabel)
                ++i;
            P = i;
        }
        return P >= 8 ? P : 0;  // below that, the extra forward costs more than it saves
    }

    // Summed loss over the batch's trained tokens, and their number.
    std::pair<torch::Tensor, int64_t> loss_of(const std::vector<const Item*>& items) {
        auto& net = model->module();
        std::vector<Row> rows;
        for (auto* it : items) rows.push_back(row(*it));
        const int64_t P = shared_prefix(rows);
        int64_t T = 0;  // positions per row after the shared prefix
        for (const Row& r : rows) T = std::max(T, r.h.size(1) - P);
        const int64_t B = static_cast<int64_t>(rows.size()), D = net.config.hidden_size;
        std::vector<torch::Tensor> hs;
        auto labels = torch::full({B, T}, kIgnoreLabel, torch::kInt64);
        auto la = labels.accessor<int64_t, 2>();
        bool any_gated = false;
        for (int64_t b = 0; b < B; ++b) {
            Row& r = rows[static_cast<size_t>(b)];
            const int64_t n = r.h.size(1) - P;
            auto h = r.h.narrow(1, P, n);
            hs.push_back(n < T ? torch::cat({h, torch::zeros({1, T - n, D}, h.options())}, 1) : h);
            for (int64_t t = 0; t < n; ++t) la[b][t] = r.labels[static_cast<size_t>(P + t)];
            any_gated |= r.vec.defined();
        }
        if (!hooks.empty()) {
            torch::Tensor vec, gates;
            if (any_gated) {
                const int64_t H = net.config.num_attention_heads, L = net.config.num_hidden_layers;
                std::vector<torch::Tensor> vs, gs;
                for (auto& r : rows) {
                    vs.push_back(r.vec.defined() ? r.vec.view({D})
                                                 : torch::zeros({D}, torch::kFloat32).to(device));
                    gs.push_back(r.gates.defined() ? r.gates.view({L})
                                                   : torch::zeros({L}, torch::kFloat32).to(device));
                }
                vec = torch::stack(vs).view({B, H, 1, D / H});
                gates = torch::stack(gs);
            }
            for (auto& h : hooks) {
                h->vec = vec;
                h->gates = gates;
            }
        }
        torch::Tensor logits;  // [B, T, V] in the compute dtype
        if (P > 0) {
            KVCache prefix = net.make_cache(1, P, net.compute_dtype, device);
            net.forward_embeddings(rows[0].h.narrow(1, 0, P), 0, &prefix, /*last_only=*/true);
            logits = net.forward_embeddings(torch::cat(hs, 0), P, &prefix, false, /*f32_logits=*/false);
        } else {
            logits = net.forward_embeddings(torch::cat(hs, 0), 0, nullptr, false, /*f32_logits=*/false);
        }
        const int64_t V = logits.size(-1);
        labels = labels.to(device);
        auto sum = token_cross_entropy(logits.view({-1, V}), labels.view({-1}), kIgnoreLabel);
        return {sum, labels.ne(kIgnoreLabel).sum().item<int64_t>()};
    }

    void set_training(bool on) {
        training = on;
        tower->set_training(on);
        if (adapter) adapter->set_training(on);
    }
};

MultimodalRecipe::MultimodalRecipe(TrainConfig config, MetricSink* sink) : m(std::make_unique<Impl>()) {
    m->cfg = std::move(config);
    m->sink = sink;
}

MultimodalRecipe::~MultimodalRecipe() = default;

void MultimodalRecipe::set_process_group(ProcessGroup* group) {
    m->group = group;
}

int64_t MultimodalRecipe::step() const {
    return m->step;
}
int64_t MultimodalRecipe::total_steps() const {
    return m->total;
}
int64_t MultimodalRecipe::trainable_parameters() const {
    return m->trainable;
}
int64_t MultimodalRecipe::train_examples() const {
    return static_cast<int64_t>(m->train.size());
}
int64_t MultimodalRecipe::cache_hits() const {
    return m->tower ? m->tower->cache().hits : 0;
}
int64_t MultimodalRecipe::cache_misses() const {
    return m->tower ? m->tower->cache().misses : 0;
}
const TrainConfig& MultimodalRecipe::config() const {
    return m->cfg;
}
std::vector<std::string> MultimodalRecipe::modalities() const {
    return {m->modalities.begin(), m->modalities.end()};
}

std::map<std::string, std::string> MultimodalRecipe::parameter_digests(const std::string& group) const {
    std::vector<std::pair<std::string, torch::Tensor>> named;
    if (group == "llm") {
        for (auto& p : m->model->module().named_parameters(true)) named.emplace_back(p.key(), p.value());
    } else if (group == "adapter") {
        if (m->adapter) named = m->adapter->parameters();
    } else {
        named = m->tower->parameters(group, /*all=*/true);
    }
    std::map<std::string, std::string> out;
    for (auto& [name, t] : named) {
        auto c = t.detach().to(torch::kCPU).contiguous();
        out[name] =
            sha256_hex(std::string(static_cast<const char*>(c.data_ptr()), c.numel() * c.element_size()));
    }
    return out;
}

void MultimodalRecipe::setup(bool resume) {
    Impl& s = *m;
    TrainConfig& cfg = s.cfg;
    cfg.validate();
    if (!cfg.multimodal.enabled()) throw Error(ErrorCode::BadConfig, "multimodal.stage", "no stage given");
    init_engine_threads(process_threads(cfg, s.group));

    // The language model: the bundle's, or the model given.
    s.llm_path = cfg.model;
    if (MultimodalModel::detect_kind(cfg.model) == "bundle") {
        const BundleManifest b = BundleManifest::load(cfg.model);
        s.bundle_src = cfg.model;
        s.llm_path = b.resolve(b.language_model);
        if (!b.adapter.empty()) s.base_adapter = b.resolve(b.adapter);
        if (cfg.template_name.empty()) cfg.template_name = b.chat_template;
    }
    LoadOptions lo;
    lo.device = cfg.device;
    lo.dtype = cfg.dtype;
    lo.context_length = 8;        // training does not use the generation cache
    lo.background_arena = false;  // the recipe drives the module itself: weights in place before step 1
    s.model = LlamaModel::load(s.llm_path, lo);
    s.device = torch::Device(s.model->device());
    if (s.model->tokenizer_path().empty())
        throw Error(ErrorCode::FileNotFound, s.llm_path,
                    "no tokenizer.json or tokenizer.model beside the weights");
    s.tok = load_tokenizer(s.model->tokenizer_path());
    const ChatTemplate tpl = template_for_model(s.model->tokenizer_config_path(), cfg.template_name);
    s.template_name = tpl.name();
    auto& net = s.model->module();
    for (auto& p : net.parameters()) p.set_requires_grad(false);
    net.gradient_checkpointing = cfg.gradient_checkpointing;

    torch::manual_seed(cfg.seed);
    s.tower = std::make_unique<MediaTower>(cfg.multimodal, net.config, s.bundle_src, cfg.seed, s.device);

    DatasetOptions dopt;
    dopt.format = dataset_format_from_name(cfg.format);
    dopt.skip_bad_rows = cfg.skip_bad_rows;
    const Dataset data = Dataset::load(cfg.data, dopt);
    for (const auto& issue : data.issues)
        s.event("info", "skipped " + issue.file + ":" + std::to_string(issue.line) + ": " + issue.message);
    const auto [eval_idx, train_idx] = split_examples(data.examples.size(), cfg);
    auto skip = [&](int64_t line, const std::string& why) {
        const std::string msg = cfg.data + ":" + std::to_string(line) + ": " + why;
        if (!cfg.skip_bad_rows) throw Error(ErrorCode::BadJson, cfg.data + ":" + std::to_string(line), why);
        s.event("info", "skipped " + msg);
    };
    for (const auto* part : {&eval_idx, &train_idx})
        for (size_t i : *part) {
            const Example& e = data.examples[i];
            Item item;
            try {
                for (const auto& r : e.media)
                    if (!s.tower->can_read(r.kind))
                        throw Error(ErrorCode::MissingModality, r.path,
                                    "no encoder for " + r.kind + " is configured");
                item = s.layout(e, tpl);
            } catch (const Error& err) {
                skip(e.line, err.what());
                continue;
            }
            if (!item.trains_within(cfg.max_length)) {
                skip(e.line, "the reply does not fit in max_length tokens");
                continue;
            }
            (part == &eval_idx ? s.eval : s.train).push_back(std::move(item));
        }
    if (s.train.empty()) throw Error(ErrorCode::BadConfig, cfg.data, "no example left to train on");

    s.micro_per_epoch = (static_cast<int64_t>(s.train.size()) + cfg.batch_size - 1) / cfg.batch_size;
    const int64_t steps_per_epoch = (s.micro_per_epoch + cfg.grad_accum - 1) / cfg.grad_accum;
    s.total = steps_per_epoch * cfg.epochs;
    if (cfg.max_steps > 0) s.total = std::min(s.total, cfg.max_steps);

    const std::string checkpoint =
        checkpoint_to_resume(cfg.out, resume, s.group, [&](const std::string& why) { s.event("info", why); });
    // The LLM adapter: trained in stage 2; a bundle's own adapter stays attached, frozen, otherwise.
    if (cfg.multimodal.trains_adapter()) {
        cfg.adapter.base_model = s.llm_path;
        if (!checkpoint.empty())
            s.adapter = Adapter::load(checkpoint, net.config);
        else if (!s.base_adapter.empty())
            s.adapter = Adapter::load(s.base_adapter, net.config);
        else
            s.adapter = Adapter::create(cfg.adapter, net.config, cfg.seed, &net);
    } else if (!s.base_adapter.empty()) {
        s.adapter = Adapter::load(s.base_adapter, net.config);
        for (auto& [name, t] : s.adapter->parameters()) t.set_requires_grad(false);
    }
    if (s.adapter) {
        s.adapter->to(s.device);
        s.adapter->attach(net);
    }
    if (cfg.multimodal.stage == "bind")
        for (int64_t l = 0; l < net.config.num_hidden_layers; ++l) {
            auto& attn = *net.layer(l).self_attn;
            auto hook = std::make_shared<TrainGatedHook>();
            hook->prev = attn.hook;
            attn.hook = hook;
            s.hooks.push_back(hook);
        }

    // Parameter groups: projector, adapter (decay / none), encoder; each with its own base rate.
    std::vector<torch::optim::OptimizerParamGroup> groups;
    auto add_group = [&](const std::vector<std::pair<std::string, torch::Tensor>>& named, double lr,
                         bool (*decay_of)(const std::string&)) {
        std::vector<torch::Tensor> with, without;
        for (const auto& [name, t] : named) {
            (decay_of(name) ? with : without).push_back(t);
            s.params.push_back(t);
            s.trainable += t.numel();
        }
        for (auto* list : {&with, &without}) {
            if (list->empty()) continue;
            auto o = std::make_unique<torch::optim::AdamWOptions>(lr);
            o->betas({cfg.beta1, cfg.beta2})
                .eps(cfg.eps)
                .weight_decay(list == &with ? cfg.weight_decay : 0.0);
            groups.emplace_back(*list, std::move(o));
            s.base_lr.push_back(lr);
        }
    };
    const auto& mm = cfg.multimodal;
    add_group(s.tower->parameters("projector"), mm.projector_lr > 0 ? mm.projector_lr : cfg.lr, decays);
    if (mm.trains_adapter()) add_group(s.adapter->parameters(), cfg.lr, Adapter::decays);
    add_group(s.tower->parameters("encoder"), mm.encoder_lr > 0 ? mm.encoder_lr : cfg.lr, decays);
    s.optimizer = std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(cfg.lr));

    if (!checkpoint.empty()) {
        s.tower->load_state(checkpoint);
        const TrainPosition p = load_checkpoint(checkpoint, *s.optimizer);
        s.step = p.step;
        s.epoch = p.epoch;
        s.micro = p.micro;
        s.last_eval = p.eval_loss;
        s.event("resumed", checkpoint);
    }
    if (writes_run_files(s.group)) {
        fs::create_directories(cfg.out);
        write_text_file((fs::path(cfg.out) / "train_config.json").string(), cfg.to_json());
    }
}

double MultimodalRecipe::evaluate() {
    Impl& s = *m;
    if (s.eval.empty()) return -1;
    s.set_training(false);
    torch::NoGradGuard no_grad;
    double sum = 0;
    int64_t tokens = 0;
    for (size_t b = 0; b < s.eval.size(); b += static_cast<size_t>(s.cfg.batch_size)) {
        const RankShare share =
            rank_share(b, std::min(s.eval.size(), b + static_cast<size_t>(s.cfg.batch_size)), s.group);
        std::vector<const Item*> rows;
        for (size_t i = share.begin; i < share.end; ++i) rows.push_back(&s.eval[i]);
        if (rows.empty()) continue;
        auto [loss, n] = s.loss_of(rows);
        sum += loss.item<double>();
        tokens += n;
    }
    sum_over_ranks(s.group, sum, tokens);
    s.last_eval = tokens ? sum / static_cast<double>(tokens) : -1;
    s.log("eval_loss", s.last_eval);
    return s.last_eval;
}

std::string MultimodalRecipe::save_checkpoint() {
    Impl& s = *m;
    if (!writes_run_files(s.group)) return checkpoint_dir(s.cfg.out, s.step);
    const std::string tmp = begin_checkpoint(s.cfg.out, s.step);
    if (s.adapter && s.cfg.multimodal.trains_adapter()) s.adapter->save(tmp);
    s.tower->save(tmp, /*encoders_into_dir=*/true);
    const std::string dir = finish_checkpoint(
        tmp, *s.optimizer, {s.step, s.epoch, s.micro, s.total, s.last_eval}, s.cfg.keep_checkpoints);
    s.event("checkpoint", dir);
    return dir;
}

void MultimodalRecipe::save_bundle(const std::string& dir) {
    Impl& s = *m;
    std::error_code ec;
    fs::remove_all(dir, ec);
    fs::create_directories(dir);
    const MediaTower::Saved saved = s.tower->save(dir, /*encoders_into_dir=*/true);
    BundleManifest b;
    b.language_model = relative_to(s.llm_path, dir);
    if (s.adapter && s.cfg.multimodal.trains_adapter()) {
        s.adapter->save((fs::path(dir) / "adapter").string());
        b.adapter = "adapter";
    } else if (!s.base_adapter.empty()) {
        b.adapter = relative_to(s.base_adapter, dir);
    }
    b.chat_template = s.template_name;
    b.fusion = s.cfg.multimodal.stage == "bind" ? "gated" : "tokens";
    const auto& mm = s.tower->config();
    if (!saved.image_encoder.empty()) {
        BundleBranch br;
        br.encoder = relative_to(saved.image_encoder, dir);
        br.feature_layer = mm.feature_layer;
        br.feature_select = mm.feature_select;
        br.projector = saved.image_projector;
        b.image = br;
        b.video = true;
        b.video_frames = static_cast<int>(mm.video_frames);
        b.video_temporal = saved.video_temporal;
        b.video_audio = mm.video_audio;
    }
    if (!saved.audio_encoder.empty()) {
        BundleBranch br;
        br.encoder = relative_to(saved.audio_encoder, dir);
        br.projector = saved.audio_projector;
        b.audio = br;
    }
    b.save(dir);
}

TrainResult MultimodalRecipe::train(const std::atomic<bool>* stop,
                                    const std::function<void(const TrainProgress&)>& on_step) {
    Impl& s = *m;
    const TrainConfig& cfg = s.cfg;
    TrainResult result;
    const auto t0 = Clock::now();
    std::string what = cfg.multimodal.stage + " stage, ";
    for (const auto& mod : s.modalities) what += mod + " ";
    s.event("start", std::to_string(s.total) + " steps, " + std::to_string(s.train.size()) + " examples, " +
                         what + "data, " + std::to_string(s.trainable) + " trainable parameters");
    std::vector<size_t> order = epoch_order(s.train.size(), cfg.seed, s.epoch);
    if (s.group) s.group->broadcast_from_rank0(s.params);  // every rank starts from rank 0's weights

    while (s.step < s.total) {
        const auto ts = Clock::now();
        if (s.group) s.group->take_comm_seconds();  // earlier collectives are not this step's
        s.set_training(true);
        s.optimizer->zero_grad();
        const int64_t accum = std::min(cfg.grad_accum, s.micro_per_epoch - s.micro);
        std::vector<std::vector<const Item*>> batches;
        std::vector<int64_t> first_rows;
        int64_t positions = 0, trained = 0;
        for (int64_t a = 0; a < accum; ++a) {
            // With several processes each takes its share of every micro-batch.
            const size_t begin = static_cast<size_t>((s.micro + a) * cfg.batch_size);
            const RankShare share = rank_share(
                begin, std::min(order.size(), begin + static_cast<size_t>(cfg.batch_size)), s.group);
            std::vector<const Item*> rows;
            for (size_t i = share.begin; i < share.end; ++i) rows.push_back(&s.train[order[i]]);
            for (auto* r : rows) positions += std::min(r->positions, cfg.max_length);
            batches.push_back(rows);
            first_rows.push_back(share.first_row);
        }
        // The step's loss is the mean over all trained tokens of its micro-batches (of every rank):
        // sums first. Dropout masks follow the micro-batch and the rows' places in it.
        std::vector<std::pair<torch::Tensor, int64_t>> losses(batches.size());
        for (size_t a = 0; a < batches.size(); ++a) {
            torch::manual_seed(micro_batch_seed(cfg.seed, s.epoch, s.micro + static_cast<int64_t>(a)));
            set_dropout_first_row(first_rows[a]);
            if (batches[a].empty()) continue;
            losses[a] = s.loss_of(batches[a]);
            trained += losses[a].second;
        }
        if (s.group) trained = s.group->allreduce_sum(trained);
        double loss_sum = 0;
        for (size_t a = 0; a < losses.size(); ++a) {
            if (!losses[a].first.defined()) continue;
            set_dropout_first_row(first_rows[a]);  // a checkpointed layer's recomputation draws again
            loss_sum += losses[a].first.item<double>();
            (losses[a].first / static_cast<double>(std::max<int64_t>(1, trained))).backward();
        }
        set_dropout_first_row(0);
        RankFigures ranks;
        if (s.group) {
            loss_sum = ranks.reduce(*s.group, s.params, loss_sum, positions, seconds_since(ts));
            positions = ranks.tokens;
        }
        s.micro += accum;
        const StepFigures f{loss_sum, trained, positions, seconds_since(ts), seconds_since(t0)};
        const TrainProgress p =
            finish_step(cfg, *s.optimizer, s.params, s.base_lr, s.step, s.total, s.epoch,
                        static_cast<double>(s.micro) / static_cast<double>(s.micro_per_epoch), f, s.sink);
        if (s.group) ranks.log(s.sink, s.step);
        s.log("feature_cache_hit_rate", s.tower->cache().hit_rate());
        result.last_loss = p.loss;

        bool epoch_end = false;
        if (s.micro >= s.micro_per_epoch) {
            epoch_end = true;
            const auto& c = s.tower->cache();
            s.event("info", "epoch " + std::to_string(s.epoch + 1) + ": feature cache " +
                                std::to_string(c.hits) + " hits, " + std::to_string(c.misses) + " misses (" +
                                std::to_string(static_cast<int>(std::lround(100 * c.hit_rate()))) +
                                "% hit rate)");
            ++s.epoch;
            s.micro = 0;
            order = epoch_order(s.train.size(), cfg.seed, s.epoch);
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
            result.cache_hits = s.tower->cache().hits;
            result.cache_misses = s.tower->cache().misses;
            s.event("stopped", result.checkpoint_dir);
            return result;
        }
    }
    s.set_training(false);
    result.bundle_dir = (fs::path(cfg.out) / "bundle").string();
    if (writes_run_files(s.group)) save_bundle(result.bundle_dir);
    if (s.adapter && cfg.multimodal.trains_adapter())
        result.adapter_dir = (fs::path(result.bundle_dir) / "adapter").string();
    result.steps = s.step;
    result.last_eval_loss = s.last_eval;
    result.cache_hits = s.tower->cache().hits;
    result.cache_misses = s.tower->cache().misses;
    result.status = TrainStatus::Finished;
    s.event("finished", result.bundle_dir);
    return result;
}

}  // namespace atelier

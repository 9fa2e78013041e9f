// Adapters on the real stories260K model: zero-init leaves the model unchanged, attach/detach/scale,
// saving alone (Atelier's layout; LoRA in PEFT's), loading back, merging LoRA, parameter counts.
#include "adapters/adapter_module.h"
#include "io/safetensors.h"
#include "model/importers.h"
#include "model/llama.h"
#include "model/lora_kernels.h"
#include "model/torch_util.h"
#include "test_util.h"

#include <gtest/gtest.h>
#include <filesystem>
#include <nlohmann/json.hpp>

using namespace atelier;
using atelier::test::error_code_of;
using atelier::test::fixture;
using atelier::test::make_temp_dir;
using atelier::test::read_file;

namespace {

torch::Tensor logits_of(LlamaForCausalLMImpl& net) {
    torch::NoGradGuard no_grad;
    auto ids = torch::tensor({1, 403, 407, 261, 378, 432, 383}, torch::kInt64).view({1, -1});
    return net.forward(ids).clone();  // [1, T, V]
}

// Moves every adapter tensor away from its zero init, as training would.
void perturb(Adapter& a, int64_t seed) {
    torch::NoGradGuard no_grad;
    torch::manual_seed(seed);
    for (auto& [name, t] : a.parameters()) t.add_(torch::randn_like(t) * 0.05);
}

ModelConfig llama7b() {
    ModelConfig c;
    c.hidden_size = 4096, c.intermediate_size = 11008, c.num_hidden_layers = 32, c.num_attention_heads = 32;
    c.num_key_value_heads = 32, c.head_dim = 128, c.vocab_size = 32000;
    return c;
}

}  // namespace

class Adapters : public ::testing::TestWithParam<std::string> {
protected:
    std::unique_ptr<LlamaModel> model = LlamaModel::load(fixture("stories260K/hf"));
    LlamaForCausalLMImpl& net() { return model->module(); }
};

TEST_P(Adapters, ZeroInitLeavesLogitsIdenticalAndBaseWeightsUntouched) {
    const torch::Tensor base = logits_of(net());
    std::map<std::string, torch::Tensor> weights;
    for (const auto& p : net().named_parameters()) weights[p.key()] = p.value().clone();

    auto cfg = AdapterConfig::preset(GetParam(), net().config);
    auto adapter = Adapter::create(cfg, net().config, 1, &net());
    EXPECT_EQ(adapter->num_parameters(), cfg.trainable_parameters(net().config));
    adapter->attach(net());
    EXPECT_TRUE(torch::equal(logits_of(net()), base)) << "a fresh adapter must not change the model";

    perturb(*adapter, 2);
    const torch::Tensor adapted = logits_of(net());
    EXPECT_GT((adapted - base).abs().max().item<float>(), 1e-3) << "a trained adapter changes the model";
    adapter->set_scale(0);
    EXPECT_TRUE(torch::equal(logits_of(net()), base));
    adapter->set_scale(0.5);
    const float half = (logits_of(net()) - base).abs().max().item<float>();
    EXPECT_GT(half, 0);
    EXPECT_LT(half, (adapted - base).abs().max().item<float>());
    adapter->set_scale(1);
    adapter->detach(net());
    EXPECT_TRUE(torch::equal(logits_of(net()), base));
    for (const auto& p : net().named_parameters())
        EXPECT_TRUE(torch::equal(p.value(), weights.at(p.key()))) << p.key() << " changed";
}

TEST_P(Adapters, SavedAloneAndLoadedBackGivesTheSameModel) {
    auto cfg = AdapterConfig::preset(GetParam(), net().config);
    auto adapter = Adapter::create(cfg, net().config, 3, &net());
    perturb(*adapter, 4);
    adapter->attach(net());
    const torch::Tensor adapted = logits_of(net());
    adapter->detach(net());
    const std::string dir = make_temp_dir("adapter");
    adapter->save(dir);

    auto again = Adapter::load(dir, net().config);
    EXPECT_EQ(again->config().method, GetParam());
    again->attach(net());
    EXPECT_TRUE(torch::allclose(logits_of(net()), adapted, 0, 1e-6));
    again->detach(net());

    // Through the torch-free facade the studio and the CLI use.
    model->attach_adapter(dir);
    EXPECT_EQ(model->adapter_method(), GetParam());
    EXPECT_TRUE(torch::allclose(logits_of(net()), adapted, 0, 1e-6));
    model->detach_adapter();
    EXPECT_EQ(model->adapter_method(), "");
}

INSTANTIATE_TEST_SUITE_P(Methods, Adapters, ::testing::Values("lora", "llama-adapter", "llama-adapter-v2"));

TEST(AdapterFormats, LoraIsSavedInPeftLayout) {
    auto model = LlamaModel::load(fixture("stories260K/hf"));
    auto cfg = AdapterConfig::preset("lora", model->config());
    cfg.base_model = "stories260K";
    auto adapter = Adapter::create(cfg, model->config(), 5);
    const std::string dir = make_temp_dir("peft");
    adapter->save(dir);
    auto j = nlohmann::json::parse(read_file(dir + "/adapter_config.json"));
    EXPECT_EQ(j["peft_type"], "LORA");
    EXPECT_EQ(j["task_type"], "CAUSAL_LM");
    EXPECT_EQ(j["r"], 16);
    EXPECT_EQ(j["lora_alpha"], 32);
    EXPECT_DOUBLE_EQ(j["lora_dropout"].get<double>(), 0.1);
    EXPECT_EQ(j["bias"], "none");
    EXPECT_EQ(j["base_model_name_or_path"], "stories260K");
    EXPECT_EQ(j["target_modules"].size(), 7u);
    auto file = SafetensorsFile::open(dir + "/adapter_model.safetensors");
    const auto& t = file->tensors();
    ASSERT_TRUE(t.count("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"));
    EXPECT_EQ(t.at("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight").shape,
              (std::vector<int64_t>{16, 64}));
    EXPECT_EQ(t.at("base_model.model.model.layers.4.mlp.down_proj.lora_B.weight").shape,
              (std::vector<int64_t>{64, 16}));
    EXPECT_EQ(t.size(), 5u * 7u * 2u);
}

TEST(AdapterFormats, PeftAdapterWithAdapterNameInKeysLoads) {
    // Some PEFT versions keep the adapter name: "...q_proj.lora_A.default.weight".
    auto model = LlamaModel::load(fixture("stories260K/hf"));
    auto cfg = AdapterConfig::preset("lora", model->config());
    cfg.target_modules = {"q_proj", "v_proj"};
    cfg.lora_rank = 4;
    auto adapter = Adapter::create(cfg, model->config(), 6);
    TensorMap renamed;
    for (auto& [k, v] : adapter->tensors(true)) {
        std::string key = k;
        key.replace(key.find(".weight"), 7, ".default.weight");
        renamed[key] = v;
    }
    const std::string dir = make_temp_dir("peft-named");
    write_safetensors(dir + "/adapter_model.safetensors", renamed);
    atelier::test::write_file(dir + "/adapter_config.json", cfg.to_peft_json());
    auto loaded = Adapter::load(dir, model->config());
    EXPECT_EQ(loaded->config().lora_rank, 4);
    EXPECT_EQ(loaded->num_parameters(), adapter->num_parameters());
}

TEST(AdapterFormats, MergedModelsEqualTheAttachedAdapter) {
    for (const std::string method : {"lora", "llama-adapter-v2"}) {
        auto model = LlamaModel::load(fixture("stories260K/hf"));
        auto& net = model->module();
        auto adapter = Adapter::create(AdapterConfig::preset(method, net.config), net.config, 7, &net);
        perturb(*adapter, 8);
        const std::string dir = make_temp_dir("to-merge");
        adapter->save(dir);
        adapter->attach(net);
        const torch::Tensor adapted = logits_of(net);
        adapter->detach(net);

        model->attach_adapter(dir);
        const std::string out = make_temp_dir("merged");
        const std::string prefix = model->save_merged(out);
        auto merged = LlamaModel::load(out);
        if (method == "llama-adapter-v2") {
            // Bias and scale become biases of a Llama; the prompt tokens stay an adapter.
            EXPECT_TRUE(merged->config().attention_bias);
            EXPECT_TRUE(merged->config().mlp_bias);
            ASSERT_EQ(prefix, out + "/prefix-adapter");
            merged->attach_adapter(prefix);
            EXPECT_EQ(merged->adapter_method(), "llama-adapter");
        } else {
            EXPECT_EQ(prefix, "");
        }
        EXPECT_TRUE(torch::allclose(logits_of(merged->module()), adapted, 0, 1e-4)) << method;
    }
    auto model = LlamaModel::load(fixture("stories260K/hf"));
    auto& net = model->module();
    auto v1 = Adapter::create(AdapterConfig::preset("llama-adapter", net.config), net.config, 9);
    EXPECT_EQ(error_code_of([&] { v1->merged_weights(net); }), ErrorCode::InvalidArgument);
}

// Issue 12, item 8: exporting the merged model into the base model's folder replaced the base
// weights (and into the adapter's folder mixed a model into it). Both are refused; a merge into a
// folder that holds another model's files replaces them whole, through a hidden partial folder.
TEST(AdapterFormats, AMergedModelIsNeverWrittenOverTheFilesItIsMadeFrom) {
    const std::string base = make_temp_dir("merge-base");
    std::filesystem::copy(fixture("stories260K/hf"), base, std::filesystem::copy_options::recursive);
    for (const auto& e : std::filesystem::directory_iterator(base))
        std::filesystem::permissions(e.path(), std::filesystem::perms::owner_write,
                                     std::filesystem::perm_options::add);
    const std::string weights_before = read_file(base + "/model.safetensors");
    auto model = LlamaModel::load(base);
    auto& net = model->module();
    auto adapter = Adapter::create(AdapterConfig::preset("lora", net.config), net.config, 7, &net);
    perturb(*adapter, 8);
    const std::string adir = make_temp_dir("merge-adapter");
    adapter->save(adir);
    model->attach_adapter(adir);
    for (const std::string& target :
         {base, base + "/", base + "/../" + std::filesystem::path(base).filename().string(), adir}) {
        try {
            model->save_merged(target);
            ADD_FAILURE() << "merged into " << target;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << e.what();
            EXPECT_NE(std::string(e.what()).find("choose another folder"), std::string::npos) << e.what();
        }
    }
    EXPECT_EQ(read_file(base + "/model.safetensors"), weights_before);
    EXPECT_FALSE(std::filesystem::exists(adir + "/config.json"));

    const std::string out = make_temp_dir("merge-out");
    atelier::test::write_file(out + "/model.safetensors", "an older export");
    model->save_merged(out);
    EXPECT_FALSE(std::filesystem::exists(out + "/.atelier-export.partial"));
    EXPECT_NE(read_file(out + "/model.safetensors"), "an older export");
    EXPECT_EQ(LlamaModel::load(out)->config().hidden_size, net.config.hidden_size);
}

// stories260K never trained its EOS row (it equals UNK's to 3e-4): a frozen output layer cannot
// learn to stop. LoRA on lm_head (PEFT's target) changes the output side of the tied embedding.
TEST(AdapterFormats, LoraOnTheTiedOutputProjection) {
    auto model = LlamaModel::load(fixture("stories260K/hf"));
    auto& net = model->module();
    ASSERT_TRUE(net.config.tie_word_embeddings);
    AdapterConfig c = AdapterConfig::preset("lora", net.config);
    c.target_modules = {"q_proj", "lm_head"};
    EXPECT_EQ(c.trainable_parameters(net.config),
              net.config.num_hidden_layers * c.lora_rank * (64 + 64) + c.lora_rank * (64 + 512));
    auto adapter = Adapter::create(c, net.config, 3, &net);
    EXPECT_EQ(adapter->num_parameters(), c.trainable_parameters(net.config));
    const torch::Tensor base = logits_of(net);
    const torch::Tensor embedding = net.model->embed_tokens->weight.clone();
    adapter->attach(net);
    EXPECT_TRUE(torch::equal(logits_of(net), base));  // B = 0
    perturb(*adapter, 4);
    const torch::Tensor adapted = logits_of(net);
    EXPECT_FALSE(torch::allclose(adapted, base, 0, 1e-4));
    // The input side is untouched: same embeddings, same hidden states into the head.
    EXPECT_TRUE(torch::equal(net.model->embed_tokens->weight, embedding));
    const std::string dir = make_temp_dir("lm-head-lora");
    adapter->save(dir);
    EXPECT_NE(read_file(dir + "/adapter_config.json").find("lm_head"), std::string::npos);
    adapter->detach(net);
    EXPECT_TRUE(torch::equal(logits_of(net), base));
    // Loaded back, and merged: an untied lm_head of its own.
    model->attach_adapter(dir);
    EXPECT_TRUE(torch::allclose(logits_of(net), adapted, 0, 1e-5));
    const std::string out = make_temp_dir("lm-head-merged");
    model->save_merged(out);
    auto merged = LlamaModel::load(out);
    EXPECT_FALSE(merged->config().tie_word_embeddings);
    EXPECT_TRUE(torch::allclose(logits_of(merged->module()), adapted, 0, 1e-4));
}

TEST(AdapterFormats, BadAdapterFoldersAreRefusedWithTheirReason) {
    auto model = LlamaModel::load(fixture("stories260K/hf"));
    const std::string empty = make_temp_dir("no-adapter");
    EXPECT_EQ(error_code_of([&] { model->attach_adapter(empty); }), ErrorCode::FileNotFound);

    // An adapter made for another model shape.
    ModelConfig other = model->config();
    other.hidden_size = 32;
    other.head_dim = 4;
    auto wrong = Adapter::create(AdapterConfig::preset("lora", other), other, 1);
    const std::string dir = make_temp_dir("wrong-adapter");
    wrong->save(dir);
    EXPECT_EQ(error_code_of([&] { model->attach_adapter(dir); }), ErrorCode::ShapeMismatch);
    EXPECT_EQ(model->adapter_method(), "");

    atelier::test::write_file(dir + "/adapter_config.json", R"({"peft_type": "PREFIX_TUNING"})");
    EXPECT_EQ(error_code_of([&] { model->attach_adapter(dir); }), ErrorCode::BadConfig);
    atelier::test::write_file(dir + "/adapter_config.json", "{not json");
    EXPECT_EQ(error_code_of([&] { model->attach_adapter(dir); }), ErrorCode::BadJson);
}

TEST(AdapterFormats, AHugeRankOrPrefixIsRefusedBeforeAnythingIsAllocated) {
    // Before the fix, "r": 1099511627776 was allocated (r x 64 floats per projection) before the
    // weights file was read: bad_alloc escaped as a torch error, or the process was killed.
    auto model = LlamaModel::load(fixture("stories260K/hf"));
    auto cfg = AdapterConfig::preset("lora", model->config());
    cfg.target_modules = {"q_proj"};
    cfg.lora_rank = 2;
    const std::string dir = make_temp_dir("huge-rank");
    Adapter::create(cfg, model->config(), 1)->save(dir);
    auto j = nlohmann::json::parse(read_file(dir + "/adapter_config.json"));
    for (const int64_t r : {int64_t(1099511627776), int64_t(65537), int64_t(0)}) {
        j["r"] = r;
        atelier::test::write_file(dir + "/adapter_config.json", j.dump());
        try {
            model->attach_adapter(dir);
            ADD_FAILURE() << "r = " << r << " was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::BadConfig) << e.what();
            EXPECT_NE(std::string(e.what()).find(std::to_string(r)), std::string::npos) << e.what();
        }
    }
    // Within the limit but more than the file holds: refused by the file's size, not allocated.
    j["r"] = 60000;
    atelier::test::write_file(dir + "/adapter_config.json", j.dump());
    try {
        model->attach_adapter(dir);
        ADD_FAILURE() << "r = 60000 with a file for r = 2 was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::ShapeMismatch) << e.what();
        EXPECT_NE(std::string(e.what()).find("more than the file"), std::string::npos) << e.what();
    }
    EXPECT_EQ(model->adapter_method(), "");
    // LLaMA-Adapter's prompt length likewise.
    auto prefix = AdapterConfig::preset("llama-adapter", model->config());
    const std::string pdir = make_temp_dir("huge-prefix");
    Adapter::create(prefix, model->config(), 1)->save(pdir);
    auto pj = nlohmann::json::parse(read_file(pdir + "/adapter_config.json"));
    pj["adapter_len"] = int64_t(1) << 40;
    atelier::test::write_file(pdir + "/adapter_config.json", pj.dump());
    EXPECT_EQ(error_code_of([&] { model->attach_adapter(pdir); }), ErrorCode::BadConfig);
    // The adapter as saved still attaches.
    j["r"] = 2;
    atelier::test::write_file(dir + "/adapter_config.json", j.dump());
    model->attach_adapter(dir);
    EXPECT_EQ(model->adapter_method(), "lora");
}

TEST(AdapterConfigs, TrainableParametersMatchThePapers) {
    const ModelConfig c = llama7b();
    auto v1 = AdapterConfig::preset("llama-adapter", c);
    EXPECT_EQ(v1.adapter_len, 10);
    EXPECT_EQ(v1.adapter_layer, 30);
    // 10 tokens x 30 layers x 4096 + one gate per head per layer: the paper's "1.2M".
    EXPECT_EQ(v1.trainable_parameters(c), 10 * 30 * 4096 + 30 * 32);
    EXPECT_NEAR(v1.trainable_parameters(c) / 1e6, 1.2, 0.05);
    auto lora = AdapterConfig::preset("lora", c);
    // r=16 on all seven projections of 32 layers: 16 * (4*(4096+4096) + 3*(4096+11008)) * 32.
    EXPECT_EQ(lora.trainable_parameters(c), 16LL * (4 * 8192 + 3 * (4096 + 11008)) * 32);
    auto v2 = AdapterConfig::preset("llama-adapter-v2", c);
    EXPECT_GT(v2.trainable_parameters(c), v1.trainable_parameters(c));
    // The preset scales V1's 30-of-32 layers to other depths.
    ModelConfig small = c;
    small.num_hidden_layers = 5;
    EXPECT_EQ(AdapterConfig::preset("llama-adapter", small).adapter_layer, 5);
    small.num_hidden_layers = 22;  // TinyLlama
    EXPECT_EQ(AdapterConfig::preset("llama-adapter", small).adapter_layer, 21);
    EXPECT_EQ(error_code_of([&] { AdapterConfig::preset("prefix", c); }), ErrorCode::InvalidArgument);
}

TEST(GradientCheckpointing, GivesTheSameGradientsWithDropoutReplayed) {
    auto model = LlamaModel::load(fixture("stories260K/hf"));
    auto& net = model->module();
    for (const std::string method : {"lora", "llama-adapter-v2"}) {
        auto cfg = AdapterConfig::preset(method, net.config);
        cfg.lora_dropout = 0.2;
        auto adapter = Adapter::create(cfg, net.config, 11, &net);
        perturb(*adapter, 12);
        adapter->attach(net);
        adapter->set_training(true);
        auto ids = torch::tensor({1, 403, 407, 261, 378, 432, 383, 286, 261}, torch::kInt64).view({1, -1});
        auto grads = [&](bool checkpoint) {
            net.gradient_checkpointing = checkpoint;
            for (auto& [n, t] : adapter->parameters()) t.mutable_grad() = torch::Tensor();
            torch::manual_seed(5);
            auto logits = net.forward(ids);
            logits.pow(2).mean().backward();
            std::vector<torch::Tensor> out;
            for (auto& [n, t] : adapter->parameters()) out.push_back(t.grad().clone());
            return out;
        };
        const auto plain = grads(false), recomputed = grads(true);
        ASSERT_EQ(plain.size(), recomputed.size());
        double largest = 0;
        for (size_t i = 0; i < plain.size(); ++i) {
            ASSERT_TRUE(recomputed[i].defined());
            EXPECT_TRUE(torch::allclose(plain[i], recomputed[i], 1e-4, 1e-6))
                << method << " tensor " << i << " diff "
                << (plain[i] - recomputed[i]).abs().max().item<double>() << " scale "
                << plain[i].abs().max().item<double>();
            largest = std::max(largest, plain[i].abs().max().item<double>());
        }
        EXPECT_GT(largest, 0) << "gradients must flow to the adapter";
        net.gradient_checkpointing = false;
        adapter->detach(net);
    }
}

TEST(SharedPrefix, GivesTheSameLogitsAndGradientsAsTheWholeRows) {
    // Three rows beginning with the same 9 tokens: the prefix run once into a batch-1 cache and the
    // rows' own positions attending to it must equal the whole rows run as a batch, for the
    // logits and for every adapter gradient (LoRA and the LLaMA-Adapter prefix hook).
    auto model = LlamaModel::load(fixture("stories260K/hf"));
    auto& net = model->module();
    const std::vector<int64_t> prefix = {1, 403, 407, 261, 378, 432, 383, 286, 261};
    const std::vector<std::vector<int64_t>> rest = {{300, 301, 302, 303}, {410, 448, 415, 294}, {5, 6, 7, 8}};
    std::vector<int64_t> whole;
    for (const auto& r : rest) {
        whole.insert(whole.end(), prefix.begin(), prefix.end());
        whole.insert(whole.end(), r.begin(), r.end());
    }
    const int64_t B = 3, P = static_cast<int64_t>(prefix.size()), S = 4;
    auto whole_ids = torch::tensor(whole, torch::kInt64).view({B, P + S});
    auto rest_ids = whole_ids.narrow(1, P, S);
    auto weights = torch::randn({B, S, net.config.vocab_size}, torch::TensorOptions().dtype(torch::kFloat32));
    for (const std::string method : {"lora", "llama-adapter"}) {
        auto adapter = Adapter::create(AdapterConfig::preset(method, net.config), net.config, 21, &net);
        perturb(*adapter, 22);
        adapter->attach(net);
        auto run = [&](bool shared, torch::Tensor* logits) {
            for (auto& [n, t] : adapter->parameters()) t.mutable_grad() = torch::Tensor();
            if (shared) {
                KVCache cache = net.make_cache(1, P, torch::kFloat32, torch::kCPU);
                net.forward(whole_ids.narrow(0, 0, 1).narrow(1, 0, P), 0, &cache, /*last_only=*/true);
                *logits = net.forward(rest_ids, P, &cache);
            } else {
                *logits = net.forward(whole_ids).narrow(1, P, S);
            }
            (*logits * weights).sum().backward();
            std::vector<torch::Tensor> out;
            for (auto& [n, t] : adapter->parameters())
                out.push_back(t.grad().defined() ? t.grad().clone() : t.grad());
            return out;
        };
        torch::Tensor a, b;
        const auto plain = run(false, &a), shared = run(true, &b);
        // Logits to float32 rounding of their scale: the prefix's and the rows' products split their
        // sums differently (OpenBLAS's SkylakeX kernels on the AMX Xeon VM: 2.2e-5 at a scale of 17).
        const double logit_scale = a.abs().max().item<double>();
        EXPECT_LE((a - b).abs().max().item<double>(), 1e-5 * logit_scale + 1e-6) << method;
        ASSERT_EQ(plain.size(), shared.size());
        double largest = 0;
        for (size_t i = 0; i < plain.size(); ++i) {
            ASSERT_TRUE(plain[i].defined() && shared[i].defined()) << method << " tensor " << i;
            // Summation order differs (the prefix's gradient is summed over the rows before, not
            // after, the layers below, and BLAS splits sums by thread count): equal to float32
            // rounding of the largest entries (measured up to 1.02e-5 of them; a missing prefix
            // contribution is of their order).
            const double scale = plain[i].abs().max().item<double>();
            EXPECT_LE((plain[i] - shared[i]).abs().max().item<double>(), 1e-4 * scale + 1e-6)
                << method << " tensor " << i;
            largest = std::max(largest, scale);
        }
        EXPECT_GT(largest, 0) << "gradients must flow to the adapter";
        adapter->detach(net);
    }
}

TEST(FastDropout, DropsAtTheRateScalesAsTorchAndReplaysWithTheGenerator) {
    const auto x = torch::ones({257, 1031}, torch::kFloat32).requires_grad_(true);  // odd sizes: tails
    for (double p : {0.1, 0.5}) {
        torch::manual_seed(3);
        auto y = fast_dropout(x, p);
        const double dropped = (y == 0).to(torch::kFloat64).mean().item<double>();
        EXPECT_NEAR(dropped, p, 0.005) << p;  // 265k draws: the rate within ~5 standard deviations
        // Kept entries carry 1 / (1 - p), as torch::dropout scales them.
        EXPECT_NEAR(y.max().item<double>(), 1 / (1 - p), 1e-6);
        // The same seed, the same mask (checkpointing's replay); another seed, another mask.
        torch::manual_seed(3);
        EXPECT_TRUE(torch::equal(fast_dropout(x, p), y));
        torch::manual_seed(4);
        EXPECT_FALSE(torch::equal(fast_dropout(x, p), y));
        // Gradients flow through the product: dy/dx is the mask.
        y.sum().backward();
        EXPECT_TRUE(torch::equal(x.grad(), y.detach()));
        x.mutable_grad() = torch::Tensor();
    }
    // bf16 inputs keep their dtype and torch::dropout's rounded scale.
    torch::manual_seed(5);
    auto b = fast_dropout(torch::ones({4096}, torch::kBFloat16), 0.1);
    EXPECT_EQ(b.scalar_type(), torch::kBFloat16);
    EXPECT_EQ(b.max().item<float>(), torch::tensor(1.0f).to(torch::kBFloat16).div(0.9).item<float>());
    // Masks of neighbouring rows are not copies of each other.
    torch::manual_seed(6);
    auto m = fast_dropout(torch::ones({64, 64}), 0.5);
    EXPECT_FALSE(torch::equal(m[0], m[1]));
}

// The fused pass (f32, bf16) gives bit for bit what LibTorch's ops give with the same mask, forward
// and backward: x · mask.to(dtype).div_(1 - p), and dy · that mask.
TEST(FastDropout, FusedPassEqualsLibTorchsProductBitForBit) {
    torch::manual_seed(8);
    for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
        const auto x0 = (torch::rand({3, 77, 301}) + 0.5).to(dt);  // no zeros: y == 0 only where dropped
        const auto dy = torch::randn({3, 77, 301}).to(dt);
        auto x = x0.clone().requires_grad_(true);
        auto y = fast_dropout(x, 0.1);
        y.backward(dy);
        const auto mask = (y.detach() != 0).to(dt).div_(0.9);
        EXPECT_TRUE(torch::equal(y, x0 * mask)) << dt;
        EXPECT_TRUE(torch::equal(x.grad(), dy * mask)) << dt;
        torch::NoGradGuard no_grad;  // the no-grad pass too
        torch::manual_seed(9);
        const auto z = fast_dropout(x0, 0.3);
        EXPECT_TRUE(torch::equal(z, x0 * (z != 0).to(dt).div_(0.7))) << dt;
    }
}

// LoRA in training on a bf16 model takes the fused branch where the shapes allow it (on CPUs with
// AMX: stories260K's attention projections; its 172-wide MLP keeps LibTorch's ops). With dropout 0 the
// logits and every adapter gradient equal those of the adapter out of training mode (LibTorch's ops
// throughout) within bf16 rounding (measured: logits within 0.05%, gradients within 2-4% of their
// largest value; LibTorch's path rounds dA and dB to bf16, the fused one keeps them in f32).
TEST(LoraBranch, TrainingOnABf16ModelMatchesLibTorchsOps) {
    if (!lora_fused_applies(64, 64, 16)) GTEST_SKIP() << "the fused branch runs on CPUs with AMX tiles";
    LoadOptions options;
    options.dtype = "bf16";
    options.background_arena = false;
    auto model = LlamaModel::load(fixture("stories260K/hf"), options);
    auto& net = model->module();
    AdapterConfig cfg = AdapterConfig::preset("lora", net.config);
    cfg.lora_dropout = 0;
    auto adapter = Adapter::create(cfg, net.config, 7, &net);
    perturb(*adapter, 8);
    {
        torch::NoGradGuard no_grad;  // a branch as large as the base output, so that errors in it show
        for (auto& [name, t] : adapter->parameters()) t.mul_(8);
    }
    adapter->attach(net);
    const auto ids =
        torch::tensor({1, 403, 407, 261, 378, 432, 383, 300, 17, 260}, torch::kInt64).view({1, -1});
    const int64_t T = ids.size(1);
    auto run = [&](bool training) {
        adapter->set_training(training);
        for (auto& [name, t] : adapter->parameters()) t.mutable_grad() = torch::Tensor();
        const auto logits = net.forward(ids).to(torch::kFloat32);  // [1, T, V]
        torch::nn::functional::cross_entropy(logits[0].narrow(0, 0, T - 1), ids[0].narrow(0, 1, T - 1))
            .backward();
        std::vector<torch::Tensor> grads;
        for (auto& [name, t] : adapter->parameters()) grads.push_back(t.grad().to(torch::kFloat64));
        return std::make_pair(logits.detach().to(torch::kFloat64), grads);
    };
    const auto [fused_logits, fused_grads] = run(true);
    const auto [ops_logits, ops_grads] = run(false);
    auto max_abs = [](const torch::Tensor& t) { return t.abs().max().item<double>(); };
    EXPECT_LE(max_abs(fused_logits - ops_logits), 0.05 * max_abs(ops_logits));
    for (size_t i = 0; i < fused_grads.size(); ++i)
        EXPECT_LE(max_abs(fused_grads[i] - ops_grads[i]), 0.1 * max_abs(ops_grads[i]) + 1e-6)
            << adapter->parameters()[i].first;
}

// Importers: Meta .pth folders and llama2.c checkpoints become the same HF model, bit for bit.
#include "common/error.h"
#include "generate/generator.h"
#include "io/llama2c.h"
#include "io/safetensors.h"
#include "model/importers.h"
#include "model/llama.h"
#include "model/reference.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>
#include <fstream>

#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>

using namespace atelier;
using namespace atelier::test;
namespace fs = std::filesystem;

namespace {

// Every tensor of `a` equals (bytes and shape) the same-named tensor of `b`.
void expect_same_tensors(const TensorMap& a, const TensorMap& b) {
    ASSERT_EQ(a.size(), b.size());
    for (const auto& [name, t] : a) {
        auto it = b.find(name);
        ASSERT_NE(it, b.end()) << name;
        EXPECT_EQ(t.shape, it->second.shape) << name;
        ASSERT_EQ(t.nbytes, it->second.nbytes) << name;
        EXPECT_EQ(std::memcmp(t.data, it->second.data, t.nbytes), 0) << name << " differs";
    }
}

std::vector<int> greedy_from_bos(const std::string& path, const std::string& tokenizer = "") {
    LoadOptions o;
    o.tokenizer = tokenizer;
    auto model = LlamaModel::load(path, o);
    auto tok = load_tokenizer(model->tokenizer_path());
    Generator gen(*model, *tok);
    GenerationOptions g;
    g.sampling.temperature = 0;
    g.max_new_tokens = 64;
    return gen.generate({1}, g).tokens;
}

std::vector<int> reference_prefix(size_t n) {
    auto ids = reference()["greedy_from_bos"]["output_ids"].get<std::vector<int>>();
    return std::vector<int>(ids.begin(), ids.begin() + static_cast<long>(n));
}

}  // namespace

TEST(Importers, Llama2cConvertsToTheReferenceHfWeightsExactly) {
    // The llama2.c file keeps Meta's interleaved RoPE rows; the HF fixture has them permuted. Our
    // permutation must turn one into the other bit for bit.
    Checkpoint ck = load_checkpoint(fixture("stories260K/llama2c/stories260K.bin"));
    EXPECT_EQ(ck.format, CheckpointFormat::Llama2c);
    TensorMap hf = load_safetensors_dir(fixture("stories260K/hf"));
    hf.erase("lm_head.weight");
    expect_same_tensors(ck.tensors, hf);
    EXPECT_EQ(ck.config.num_key_value_heads, 4);
    EXPECT_EQ(ck.config.max_position_embeddings, 512);
    EXPECT_EQ(fs::path(ck.tokenizer_path).filename(), "tok512.model");
}

TEST(Importers, Llama2cFolderIgnoresItsTokenizerBin) {
    // The fixture folder holds stories260K.bin beside llama2.c's own vocab file tok512.bin.
    EXPECT_EQ(detect_checkpoint_format(fixture("stories260K/llama2c")), CheckpointFormat::Llama2c);
    Checkpoint ck = load_checkpoint(fixture("stories260K/llama2c"));
    EXPECT_EQ(fs::path(ck.source).filename(), "llama2c");
    EXPECT_EQ(ck.config.hidden_size, 64);
}

TEST(Importers, SentencePieceModelIsPreferredOverAMetaspaceTokenizerJson) {
    // Llama-2/Mistral folders ship tokenizer.model and a Metaspace tokenizer.json; only a byte-level
    // tokenizer.json (Llama 3, Qwen2) should win.
    std::string dir = make_temp_dir("tokpref");
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json"})
        fs::copy_file(fixture(std::string("stories260K/hf/") + f), dir + "/" + f);
    write_file(dir + "/tokenizer.json",
               R"({"model": {"type": "BPE"}, "pre_tokenizer": {"type": "Metaspace"}})");
    EXPECT_EQ(fs::path(load_checkpoint(dir).tokenizer_path).filename(), "tokenizer.model");
    write_file(dir + "/tokenizer.json",
               R"({"model": {"type": "BPE"}, "pre_tokenizer": {"type": "ByteLevel"}})");
    EXPECT_EQ(fs::path(load_checkpoint(dir).tokenizer_path).filename(), "tokenizer.json");
}

TEST(Importers, PermutationRoundTrips) {
    TensorMap hf = load_safetensors_dir(fixture("stories260K/hf"));
    const TensorData& q = hf.at("model.layers.2.self_attn.q_proj.weight");
    TensorData meta = permute_rope_rows(q, 8, /*to_hf=*/false);
    EXPECT_NE(std::memcmp(meta.data, q.data, q.nbytes), 0);
    TensorData back = permute_rope_rows(meta, 8, /*to_hf=*/true);
    EXPECT_EQ(std::memcmp(back.data, q.data, q.nbytes), 0);
}

TEST(Importers, Llama2cLegacyFilesAreWrittenAsRunCWritesThem) {
    const std::string original = fixture("stories260K/llama2c/stories260K.bin");
    Llama2cFile legacy = read_llama2c(original);
    std::string dir = make_temp_dir("legacy");
    write_llama2c(dir + "/model.bin", legacy);
    Llama2cFile again = read_llama2c(dir + "/model.bin");
    EXPECT_EQ(again.version, 0);
    EXPECT_EQ(again.shared_classifier, legacy.shared_classifier);
    expect_same_tensors(again.tensors, legacy.tensors);
    // Header and weights byte for byte as export.py wrote them; its RoPE tables (last, the classifier
    // being shared) within float32 rounding of sin and cos.
    ASSERT_TRUE(legacy.shared_classifier);
    std::ifstream a(original, std::ios::binary), b(dir + "/model.bin", std::ios::binary);
    const std::string bytes_a((std::istreambuf_iterator<char>(a)), {}),
        bytes_b((std::istreambuf_iterator<char>(b)), {});
    ASSERT_EQ(bytes_a.size(), bytes_b.size());
    const size_t table_floats =
        static_cast<size_t>(legacy.seq_len) * (legacy.dim / legacy.n_heads);  // cos + sin
    const size_t tables_at = bytes_a.size() - table_floats * 4;
    EXPECT_EQ(bytes_a.compare(0, tables_at, bytes_b, 0, tables_at), 0);
    std::vector<float> ta(table_floats), tb(table_floats);
    std::memcpy(ta.data(), bytes_a.data() + tables_at, table_floats * 4);
    std::memcpy(tb.data(), bytes_b.data() + tables_at, table_floats * 4);
    float worst = 0;
    for (size_t i = 0; i < table_floats; ++i) worst = std::max(worst, std::abs(ta[i] - tb[i]));
    EXPECT_LT(worst, 1e-5f);
    EXPECT_GT(ta[table_floats / 2 - 1], 0.5f);  // not all zeros: cos of a small angle
}

TEST(Importers, Llama2cVersion1HeaderLoadsTheSameModel) {
    Llama2cFile legacy = read_llama2c(fixture("stories260K/llama2c/stories260K.bin"));
    EXPECT_EQ(legacy.version, 0);
    std::string dir = make_temp_dir("v1");
    Llama2cFile as_v1 = legacy;
    as_v1.version = 1;
    write_llama2c(dir + "/model.bin", as_v1);
    Llama2cFile v1 = read_llama2c(dir + "/model.bin");
    EXPECT_EQ(v1.version, 1);
    EXPECT_TRUE(v1.shared_classifier);
    expect_same_tensors(v1.tensors, legacy.tensors);
    EXPECT_EQ(greedy_from_bos(dir + "/model.bin", fixture("stories260K/llama2c/tok512.model")),
              reference_prefix(64));
}

TEST(Importers, MetaPthFolderReproducesTheReference) {
    // A torch.save-format consolidated.00.pth + params.json, as Meta and LLaMA-Adapter release them,
    // written by tests/tools/make_pth.py (Python's own pickle, no torch) from the llama2.c weights.
    std::string dir = make_temp_dir("meta");
    std::string cmd = "python3 " + tools_dir() + "/make_pth.py meta-from-llama2c " +
                      fixture("stories260K/llama2c/stories260K.bin") + " " + dir;
    ASSERT_EQ(run_command(cmd), 0) << cmd;
    fs::copy_file(fixture("stories260K/hf/tokenizer.model"), dir + "/tokenizer.model");
    EXPECT_EQ(detect_checkpoint_format(dir), CheckpointFormat::Meta);
    Checkpoint ck = load_checkpoint(dir);
    EXPECT_EQ(ck.config.hidden_size, 64);
    EXPECT_EQ(ck.config.intermediate_size, 172);
    EXPECT_EQ(ck.config.vocab_size, 512);
    EXPECT_FALSE(ck.config.tie_word_embeddings);  // Meta files carry output.weight
    TensorMap hf = load_safetensors_dir(fixture("stories260K/hf"));
    for (const auto& [name, t] : hf) {
        if (name == "lm_head.weight") continue;
        ASSERT_TRUE(ck.tensors.count(name)) << name;
        EXPECT_EQ(std::memcmp(ck.tensors.at(name).data, t.data, t.nbytes), 0) << name;
    }
    EXPECT_EQ(greedy_from_bos(dir), reference_prefix(64));
}

TEST(Importers, MetaParamsWithZeroOrNegativeHeadsAreRefusedNotDividedBy) {
    // Before the fix, n_heads 0 divided by zero (SIGFPE) before the configuration was validated: in
    // the Models page's worker, the Train page and the trainer alike.
    std::string dir = make_temp_dir("meta_heads");
    std::string cmd = "python3 " + tools_dir() + "/make_pth.py meta-from-llama2c " +
                      fixture("stories260K/llama2c/stories260K.bin") + " " + dir;
    ASSERT_EQ(run_command(cmd), 0) << cmd;
    const nlohmann::json good = nlohmann::json::parse(read_file(dir + "/params.json"));
    for (const auto& [key, value] : std::vector<std::pair<std::string, int>>{
             {"n_heads", 0}, {"n_heads", -8}, {"n_kv_heads", 0}, {"dim", 0}, {"n_layers", 0}}) {
        nlohmann::json params = good;
        params[key] = value;
        write_file(dir + "/params.json", params.dump());
        try {
            load_checkpoint(dir);
            ADD_FAILURE() << key << " = " << value << " was accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::BadConfig) << key << ": " << e.what();
            EXPECT_NE(std::string(e.what()).find("params.json"), std::string::npos) << e.what();
        }
    }
}

TEST(Importers, ConvertWritesALoadableHfFolder) {
    std::string out = make_temp_dir("convert") + "/hf";
    Checkpoint ck = load_checkpoint(fixture("stories260K/llama2c/stories260K.bin"));
    save_hf_folder(ck, out);
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json",
                          "generation_config.json"})
        EXPECT_TRUE(fs::exists(out + "/" + f)) << f;
    Checkpoint back = load_checkpoint(out);
    EXPECT_EQ(back.format, CheckpointFormat::HuggingFace);
    expect_same_tensors(back.tensors, ck.tensors);
    EXPECT_EQ(greedy_from_bos(out), reference_prefix(64));
}

TEST(Importers, BadFoldersSayWhatIsWrong) {
    auto code_of = [](const std::string& path) { return error_code_of([&] { load_checkpoint(path); }); };
    EXPECT_EQ(code_of("/nonexistent/model"), ErrorCode::FileNotFound);
    std::string empty = make_temp_dir("empty");
    EXPECT_EQ(code_of(empty), ErrorCode::UnsupportedFormat);

    // An architecture we do not run.
    std::string other = make_temp_dir("gpt2");
    write_file(other + "/config.json", R"({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2"})");
    EXPECT_EQ(code_of(other), ErrorCode::UnsupportedArchitecture);

    // A tensor missing from otherwise fine weights.
    std::string missing = make_temp_dir("missing");
    fs::copy_file(fixture("stories260K/hf/config.json"), missing + "/config.json");
    TensorMap hf = load_safetensors_dir(fixture("stories260K/hf"));
    hf.erase("model.layers.3.mlp.up_proj.weight");
    write_safetensors(missing + "/model.safetensors", hf);
    try {
        load_checkpoint(missing);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::MissingTensor);
        EXPECT_NE(std::string(e.what()).find("model.layers.3.mlp.up_proj.weight"), std::string::npos);
    }

    // A config that disagrees with the weights.
    std::string wrong = make_temp_dir("wrong");
    std::string cfg = read_file(fixture("stories260K/hf/config.json"));
    cfg.replace(cfg.find("\"intermediate_size\": 172"), 24, "\"intermediate_size\": 256");
    write_file(wrong + "/config.json", cfg);
    fs::copy_file(fixture("stories260K/hf/model.safetensors"), wrong + "/model.safetensors");
    EXPECT_EQ(code_of(wrong), ErrorCode::ShapeMismatch);

    // Broken config JSON.
    std::string broken = make_temp_dir("broken");
    write_file(broken + "/config.json", "{\"hidden_size\": 64,");
    EXPECT_EQ(code_of(broken), ErrorCode::BadJson);

    // A truncated llama2.c file.
    std::string trunc = make_temp_dir("trunc");
    std::string bytes = read_file(fixture("stories260K/llama2c/stories260K.bin"));
    write_file(trunc + "/model.bin", bytes.substr(0, bytes.size() / 2));
    EXPECT_EQ(code_of(trunc + "/model.bin"), ErrorCode::FileTruncated);
}

// torch.save (.pth) reader: files made by tests/tools/make_pth.py, which pickles with Python's own
// Pickler against a fake torch module exactly as torch.save does, and lays out the zip like
// PyTorchStreamWriter. Covers dtypes, shared storages, strides, nesting, zip64, pickle protocols,
// hostile pickles and corrupt archives, and the stories260K checkpoint converted to a Meta folder.
#include "common/error.h"
#include "io/pth_reader.h"
#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

namespace fs = std::filesystem;
using atelier::DType;
using atelier::Error;
using atelier::ErrorCode;
using atelier::TensorData;
using atelier::TensorMap;
using nlohmann::json;

using atelier::test::bf16_bits;
using atelier::test::mapped_from;

namespace {

// Runs make_pth.py on `spec`; returns the .pth path.
std::string make_pth(const json& spec, const std::string& name = "model.pth") {
    const std::string dir = atelier::test::make_temp_dir("pth");
    atelier::test::write_file(dir + "/spec.json", spec.dump());
    const std::string out = dir + "/" + name;
    std::string log;
    const int rc = atelier::test::run_command(
        "python3 " + atelier::test::tools_dir() + "/make_pth.py spec " + dir + "/spec.json " + out + " 2>&1",
        &log);
    EXPECT_EQ(rc, 0) << log;
    return out;
}

template <typename T>
std::vector<T> values_of(const TensorData& t) {
    EXPECT_EQ(t.nbytes % sizeof(T), 0u);
    std::vector<T> v(t.nbytes / sizeof(T));
    if (t.nbytes) std::memcpy(v.data(), t.data, t.nbytes);
    return v;
}

// Asserts read_pth(path) fails with `code`, naming the file, with `detail_part` in the detail.
void expect_pth_error(const std::string& path, ErrorCode code, const std::string& detail_part = "") {
    try {
        atelier::read_pth(path);
        ADD_FAILURE() << "no error for " << path;
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        EXPECT_NE(std::string(e.what()).find(fs::path(path).filename().string()), std::string::npos)
            << e.what();
        if (!detail_part.empty()) {
            EXPECT_NE(e.detail().find(detail_part), std::string::npos) << e.what();
        }
    }
}

json dtype_spec() {
    return {
        {"tensors",
         {{{"name", "f32"}, {"dtype", "float32"}, {"shape", {2, 3}}, {"values", {1, -2, 3.5, 0, 0.25, 1e6}}},
          {{"name", "f16"}, {"dtype", "float16"}, {"shape", {4}}, {"values", {1, -2, 0.5, 65504}}},
          {{"name", "bf16"}, {"dtype", "bfloat16"}, {"shape", {3, 1}}, {"values", {1.5, -2, 0.15625}}},
          {{"name", "i64"}, {"dtype", "int64"}, {"shape", {3}}, {"values", {1, -5, 1099511627776}}},
          {{"name", "u8"}, {"dtype", "uint8"}, {"shape", {2}}, {"values", {0, 255}}},
          {{"name", "flag"}, {"dtype", "bool"}, {"shape", {2}}, {"values", {true, false}}},
          {{"name", "scalar"}, {"dtype", "float64"}, {"shape", json::array()}, {"values", {2.5}}},
          {{"name", "empty"}, {"dtype", "float32"}, {"shape", {0, 3}}, {"values", json::array()}}}}};
}

void expect_dtype_tensors(const TensorMap& m, const std::string& path) {
    ASSERT_EQ(m.size(), 8u);
    const TensorData& f32 = m.at("f32");
    EXPECT_EQ(f32.dtype, DType::F32);
    EXPECT_EQ(f32.shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(values_of<float>(f32), (std::vector<float>{1, -2, 3.5f, 0, 0.25f, 1e6f}));
    EXPECT_TRUE(mapped_from(f32.data, path)) << "contiguous tensors must be views of the mmap";
    EXPECT_EQ(reinterpret_cast<uintptr_t>(f32.data) % 64, 0u) << "torch.save aligns records to 64 bytes";

    EXPECT_EQ(m.at("f16").dtype, DType::F16);
    EXPECT_EQ(values_of<uint16_t>(m.at("f16")), (std::vector<uint16_t>{0x3C00, 0xC000, 0x3800, 0x7BFF}));
    EXPECT_EQ(m.at("bf16").dtype, DType::BF16);
    EXPECT_EQ(m.at("bf16").shape, (std::vector<int64_t>{3, 1}));
    EXPECT_EQ(values_of<uint16_t>(m.at("bf16")),
              (std::vector<uint16_t>{bf16_bits(1.5f), bf16_bits(-2.f), bf16_bits(0.15625f)}));
    EXPECT_EQ(m.at("i64").dtype, DType::I64);
    EXPECT_EQ(values_of<int64_t>(m.at("i64")), (std::vector<int64_t>{1, -5, int64_t{1} << 40}));
    EXPECT_EQ(values_of<uint8_t>(m.at("u8")), (std::vector<uint8_t>{0, 255}));
    EXPECT_EQ(m.at("flag").dtype, DType::Bool);
    EXPECT_EQ(values_of<uint8_t>(m.at("flag")), (std::vector<uint8_t>{1, 0}));
    EXPECT_EQ(m.at("scalar").dtype, DType::F64);
    EXPECT_TRUE(m.at("scalar").shape.empty());
    EXPECT_EQ(values_of<double>(m.at("scalar")), (std::vector<double>{2.5}));
    EXPECT_EQ(m.at("empty").shape, (std::vector<int64_t>{0, 3}));
    EXPECT_EQ(m.at("empty").nbytes, 0u);
}

}  // namespace

TEST(Pth, ReadsEveryDtypeZeroCopy) {
    const std::string path = make_pth(dtype_spec());
    expect_dtype_tensors(atelier::read_pth(path), path);
}

TEST(Pth, TensorsKeepTheMappingAlive) {
    const std::string path = make_pth(dtype_spec());
    TensorData f32;
    {
        TensorMap m = atelier::read_pth(path);
        f32 = m.at("f32");
    }
    EXPECT_TRUE(mapped_from(f32.data, path));
    EXPECT_EQ(values_of<float>(f32)[5], 1e6f);
    const void* p = f32.data;
    f32 = TensorData();
    EXPECT_FALSE(mapped_from(p, path)) << "the mmap leaked";
}

TEST(Pth, ZipLayoutVariantsAndPickleProtocols) {
    // Any top folder name, zip64 end records and extra fields, and protocols 4/5 (FRAME,
    // STACK_GLOBAL, MEMOIZE, SHORT_BINUNICODE) all read back the same tensors.
    for (int protocol : {2, 4, 5}) {
        for (bool zip64 : {false, true}) {
            json spec = dtype_spec();
            spec["protocol"] = protocol;
            spec["zip64"] = zip64;
            spec["prefix"] = "my.ckpt-" + std::to_string(protocol);
            SCOPED_TRACE("protocol " + std::to_string(protocol) + (zip64 ? " zip64" : ""));
            const std::string path = make_pth(spec);
            expect_dtype_tensors(atelier::read_pth(path), path);
        }
    }
}

TEST(Pth, TwoTensorsShareOneStorageWithAnOffset) {
    json spec = {{"storages", {{{"dtype", "float32"}, {"values", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}}}},
                 {"tensors",
                  {{{"name", "head"}, {"storage", 0}, {"shape", {4}}},
                   {{"name", "tail"}, {"storage", 0}, {"offset", 4}, {"shape", {2, 3}}}}}};
    const std::string path = make_pth(spec);
    TensorMap m = atelier::read_pth(path);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(values_of<float>(m.at("head")), (std::vector<float>{0, 1, 2, 3}));
    EXPECT_EQ(m.at("tail").shape, (std::vector<int64_t>{2, 3}));
    EXPECT_EQ(values_of<float>(m.at("tail")), (std::vector<float>{4, 5, 6, 7, 8, 9}));
    // Both are views of the same record: no copy, 4 floats apart.
    EXPECT_EQ(static_cast<const char*>(m.at("tail").data), static_cast<const char*>(m.at("head").data) + 16);
    EXPECT_TRUE(mapped_from(m.at("tail").data, path));
}

TEST(Pth, StridedTensorsAreCopiedContiguous) {
    json spec = {
        {"storages", {{{"dtype", "float32"}, {"values", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}}}}},
        {"tensors",
         {// A [2, 3] matrix's transpose: [3, 2] with strides [1, 3].
          {{"name", "t"}, {"storage", 0}, {"shape", {3, 2}}, {"stride", {1, 3}}},
          // 3-D, permuted, with a storage offset: element [i][j][k] = 1 + i + 4j + 2k.
          {{"name", "p"}, {"storage", 0}, {"offset", 1}, {"shape", {2, 2, 2}}, {"stride", {1, 4, 2}}},
          // Expanded (stride 0) and a size-1 dim with an odd stride, which is still contiguous.
          {{"name", "e"}, {"storage", 0}, {"offset", 2}, {"shape", {3, 2}}, {"stride", {0, 1}}},
          {{"name", "c"}, {"storage", 0}, {"offset", 5}, {"shape", {1, 3}}, {"stride", {99, 1}}}}}};
    const std::string path = make_pth(spec);
    TensorMap m = atelier::read_pth(path);
    EXPECT_EQ(m.at("t").shape, (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(values_of<float>(m.at("t")), (std::vector<float>{0, 3, 1, 4, 2, 5}));
    EXPECT_FALSE(mapped_from(m.at("t").data, path));
    std::vector<float> expected;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j)
            for (int k = 0; k < 2; ++k) expected.push_back(static_cast<float>(1 + i + 4 * j + 2 * k));
    EXPECT_EQ(values_of<float>(m.at("p")), expected);
    EXPECT_EQ(values_of<float>(m.at("e")), (std::vector<float>{2, 3, 2, 3, 2, 3}));
    EXPECT_EQ(values_of<float>(m.at("c")), (std::vector<float>{5, 6, 7}));
    EXPECT_TRUE(mapped_from(m.at("c").data, path));
}

TEST(Pth, FlattensAStateDictNestedUnderModelOrStateDict) {
    for (const char* key : {"model", "state_dict"}) {
        json spec = dtype_spec();
        spec["wrap"] = key;
        const std::string path = make_pth(spec);
        SCOPED_TRACE(key);
        expect_dtype_tensors(atelier::read_pth(path), path);
    }
}

TEST(Pth, RefusesAPickleThatCallsOsSystem) {
    const std::string dir = atelier::test::make_temp_dir("pth-evil");
    const std::string marker = dir + "/pwned";
    json spec = dtype_spec();
    spec["evil"] = {{"global", "os.system"}, {"arg", "touch " + marker}};
    const std::string path = make_pth(spec);
    try {
        atelier::read_pth(path);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::UnsupportedFormat);
        EXPECT_EQ(e.detail(), "pickle global 'os.system' is not allowed");
        EXPECT_NE(std::string(e.what()).find("model.pth"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(marker));

    spec["evil"] = {{"global", "builtins.eval"}, {"arg", "1"}};
    expect_pth_error(make_pth(spec), ErrorCode::UnsupportedFormat, "'builtins.eval' is not allowed");
}

TEST(Pth, TruncatedArchiveFails) {
    const std::string path = make_pth(dtype_spec());
    const std::string bytes = atelier::test::read_file(path);
    atelier::test::write_file(path, bytes.substr(0, bytes.size() / 2));
    expect_pth_error(path, ErrorCode::FileTruncated);
}

TEST(Pth, MissingStorageRecordFails) {
    json spec = dtype_spec();
    spec["omit_records"] = {"data/2"};
    expect_pth_error(make_pth(spec), ErrorCode::MissingTensor, "data/2");
}

TEST(Pth, CompressedRecordsAreRefused) {
    json spec = dtype_spec();
    spec["compress"] = true;
    expect_pth_error(make_pth(spec), ErrorCode::UnsupportedFormat, "compressed");
}

TEST(Pth, TensorPastTheEndOfItsStorageFails) {
    json spec = {{"storages", {{{"dtype", "float32"}, {"values", {0, 1, 2, 3}}}}},
                 {"tensors", {{{"name", "big"}, {"storage", 0}, {"offset", 1}, {"shape", {2, 2}}}}}};
    expect_pth_error(make_pth(spec), ErrorCode::OffsetOutOfRange, "'big'");
}

TEST(Pth, TopLevelListIsRefused) {
    json spec = dtype_spec();
    spec["top"] = "list";
    expect_pth_error(make_pth(spec), ErrorCode::UnsupportedFormat, "top-level object is a list");
}

TEST(Pth, NotAZipOrMissingFails) {
    const std::string dir = atelier::test::make_temp_dir("pth-bad");
    atelier::test::write_file(dir + "/text.pth", "this is not a checkpoint at all, just some text\n");
    expect_pth_error(dir + "/text.pth", ErrorCode::UnsupportedFormat, "not a zip archive");
    atelier::test::write_file(dir + "/legacy.pth", std::string("\x80\x02\x8a\x0a", 4) + "legacy magic");
    expect_pth_error(dir + "/legacy.pth", ErrorCode::UnsupportedFormat, "legacy");
    atelier::test::write_file(dir + "/empty.pth", "");
    expect_pth_error(dir + "/empty.pth", ErrorCode::UnsupportedFormat);
    expect_pth_error(dir + "/absent.pth", ErrorCode::FileNotFound);
}

// Issue 12, item 6: the expansion budget is for the whole file. Before, the 1 GiB cap was per
// tensor, so one 4-byte storage viewed as 512 MiB under 100 keys allocated 50 GiB from a file of
// a few KB. Here two views of just over 512 MiB each (one float stored) pass the old cap, not the new.
TEST(Pth, ExpandedViewsAreBudgetedForTheWholeFile) {
    json spec;
    spec["storages"] = {{{"dtype", "float32"}, {"values", {1.5}}}};
    spec["tensors"] = json::array();
    for (const char* name : {"a", "b"})
        spec["tensors"].push_back(
            {{"name", name}, {"storage", 0}, {"shape", {8193, 16384}}, {"stride", {0, 0}}});
    expect_pth_error(make_pth(spec), ErrorCode::ShapeMismatch, "+ 1 GiB");

    // Within the budget, an expanded view reads back as its value repeated.
    spec["tensors"] = {{{"name", "a"}, {"storage", 0}, {"shape", {4, 3}}, {"stride", {0, 0}}}};
    const TensorMap m = atelier::read_pth(make_pth(spec));
    EXPECT_EQ(values_of<float>(m.at("a")), std::vector<float>(12, 1.5f));
}

// Every truncation and many random byte flips must give an Error or a valid map, never a crash.
TEST(Pth, MutatedArchivesNeverCrash) {
    json spec = dtype_spec();
    spec["storages"] = {{{"dtype", "float32"}, {"values", {0, 1, 2, 3, 4, 5}}}};
    spec["tensors"].push_back({{"name", "view"}, {"storage", 0}, {"shape", {3, 2}}, {"stride", {1, 3}}});
    const std::string good = make_pth(spec);
    const std::string bytes = atelier::test::read_file(good);
    const std::string path = fs::path(good).parent_path().string() + "/mutant.pth";
    int errors = 0, read = 0;
    auto attempt = [&](const std::string& b) {
        atelier::test::write_file(path, b);
        try {
            for (const auto& [name, t] : atelier::read_pth(path)) {  // touch every byte handed out
                volatile uint8_t sum = 0;
                for (size_t i = 0; i < t.nbytes; ++i) sum += static_cast<const uint8_t*>(t.data)[i];
            }
            ++read;
        } catch (const Error&) {
            ++errors;
        }
    };
    for (size_t len = 0; len < bytes.size(); len += 3) attempt(bytes.substr(0, len));
    // data.pkl is the first record: its bytes start after the 30-byte header, name and padding.
    std::mt19937 rng(99);
    for (int i = 0; i < 1500; ++i) {
        std::string b = bytes;
        const int flips = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < flips; ++k) {
            const size_t at = rng() % 2 ? 64 + rng() % 600 : rng() % b.size();  // pickle or anywhere
            b[std::min(at, b.size() - 1)] = static_cast<char>(rng());
        }
        attempt(b);
    }
    EXPECT_GT(errors, 0);
    EXPECT_GT(read, 0);
}

// The llama2.c stories260K checkpoint, converted by make_pth.py into a Meta folder, reads back
// with the exact floats of the .bin (this is the file the Meta importer tests use).
TEST(Pth, Stories260KConvertedToAMetaFolder) {
    const std::string bin_path = atelier::test::fixture("stories260K/llama2c/stories260K.bin");
    const std::string dir = atelier::test::make_temp_dir("meta");
    std::string log;
    ASSERT_EQ(
        atelier::test::run_command("python3 " + atelier::test::tools_dir() +
                                       "/make_pth.py meta-from-llama2c " + bin_path + " " + dir + " 2>&1",
                                   &log),
        0)
        << log;

    const json params = json::parse(atelier::test::read_file(dir + "/params.json"));
    EXPECT_EQ(params["dim"], 64);
    EXPECT_EQ(params["n_layers"], 5);
    EXPECT_EQ(params["n_heads"], 8);
    EXPECT_EQ(params["n_kv_heads"], 4);
    EXPECT_EQ(params["vocab_size"], 512);
    EXPECT_EQ(params["hidden_dim"], 172);
    EXPECT_EQ(params["multiple_of"], 4);  // 4 * ceil(int(8 * 64 / 3) / 4) == 172
    EXPECT_EQ(params["max_seq_len"], 512);
    EXPECT_DOUBLE_EQ(params["norm_eps"].get<double>(), 1e-5);

    const std::string pth = dir + "/consolidated.00.pth";
    const TensorMap m = atelier::read_pth(pth);
    EXPECT_EQ(m.size(), 3u + 5u * 9u);

    // Walk the .bin in llama2.c's order and compare every tensor byte for byte.
    const std::string bin = atelier::test::read_file(bin_path);
    const int dim = 64, hidden = 172, L = 5, kv_dim = 32, vocab = 512, seq_len = 512, head_size = 8;
    size_t pos = 28;
    auto expect_next = [&](const std::string& name, std::vector<int64_t> shape) {
        const TensorData& t = m.at(name);
        EXPECT_EQ(t.dtype, DType::F32) << name;
        EXPECT_EQ(t.shape, shape) << name;
        ASSERT_LE(pos + t.nbytes, bin.size());
        EXPECT_EQ(std::memcmp(t.data, bin.data() + pos, t.nbytes), 0) << name;
        pos += t.nbytes;
    };
    auto layers = [&](const std::string& suffix, std::vector<int64_t> shape) {
        for (int l = 0; l < L; ++l) expect_next("layers." + std::to_string(l) + "." + suffix, shape);
    };
    expect_next("tok_embeddings.weight", {vocab, dim});
    layers("attention_norm.weight", {dim});
    layers("attention.wq.weight", {dim, dim});
    layers("attention.wk.weight", {kv_dim, dim});
    layers("attention.wv.weight", {kv_dim, dim});
    layers("attention.wo.weight", {dim, dim});
    layers("ffn_norm.weight", {dim});
    layers("feed_forward.w1.weight", {hidden, dim});
    layers("feed_forward.w2.weight", {dim, hidden});
    layers("feed_forward.w3.weight", {hidden, dim});
    expect_next("norm.weight", {dim});
    pos += 2 * static_cast<size_t>(seq_len * head_size / 2) * 4;  // freq_cis_real, freq_cis_imag
    EXPECT_EQ(pos, bin.size()) << "tied classifier: nothing after the RoPE tables";

    // Tied classifier: output.weight is a copy of the embedding.
    const TensorData& out = m.at("output.weight");
    EXPECT_EQ(out.shape, (std::vector<int64_t>{vocab, dim}));
    EXPECT_EQ(std::memcmp(out.data, m.at("tok_embeddings.weight").data, out.nbytes), 0);
    EXPECT_FLOAT_EQ(static_cast<const float*>(out.data)[0], -0.29474878f);
}

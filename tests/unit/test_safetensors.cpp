// Safetensors reader/writer: round trips, the real stories260K file, sharded folders, and one test
// per way a file can be malformed (each must name the file and give the right ErrorCode).
#include "common/error.h"
#include "io/safetensors.h"
#include "io/zip_reader.h"
#include "test_util.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace fs = std::filesystem;
using atelier::DType;
using atelier::Error;
using atelier::ErrorCode;
using atelier::TensorData;
using atelier::TensorMap;

using atelier::test::bf16_bits;
using atelier::test::mapped_from;

namespace {

std::string bytes_of(const TensorData& t) {
    return std::string(static_cast<const char*>(t.data), t.nbytes);
}

template <typename T>
TensorData owned(DType dtype, std::vector<int64_t> shape, const std::vector<T>& values) {
    return atelier::make_owned_tensor(dtype, std::move(shape), values.data(), values.size() * sizeof(T));
}

int mappings_of(const std::string& path) {
    const std::string want = fs::canonical(path).string();
    std::ifstream maps("/proc/self/maps");
    std::string line;
    int n = 0;
    while (std::getline(maps, line)) {
        const auto slash = line.find('/');
        if (slash != std::string::npos && line.substr(slash) == want) ++n;
    }
    return n;
}

// A file from a header string and a data section, laid out as the format says (no validation).
std::string raw_file(const std::string& dir, const std::string& name, const std::string& header,
                     const std::string& data) {
    std::string bytes(8, '\0');
    const uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(n >> (8 * i));
    bytes += header + data;
    const std::string path = dir + "/" + name;
    atelier::test::write_file(path, bytes);
    return path;
}

// Asserts that opening `path` fails with `code` and that the message names the file.
void expect_open_error(const std::string& path, ErrorCode code, const std::string& detail_part = "") {
    try {
        atelier::SafetensorsFile::open(path);
        ADD_FAILURE() << "no error for " << path;
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        EXPECT_NE(std::string(e.what()).find(fs::path(path).filename().string()), std::string::npos)
            << e.what();
        EXPECT_EQ(e.where(), path);
        if (!detail_part.empty()) {
            EXPECT_NE(e.detail().find(detail_part), std::string::npos) << e.what();
        }
    }
}

TensorMap sample_tensors() {
    TensorMap m;
    m["f32"] = owned<float>(DType::F32, {2, 3}, {1.f, -2.f, 3.5f, 0.f, 1e-7f, 6e5f});
    m["f16"] = owned<uint16_t>(DType::F16, {3}, {0x3C00, 0xC000, 0x7BFF});  // 1, -2, 65504
    m["bf16"] =
        owned<uint16_t>(DType::BF16, {2, 2}, {bf16_bits(1.5f), bf16_bits(-2.f), bf16_bits(0.15625f), 0});
    m["i64"] = owned<int64_t>(DType::I64, {1}, {int64_t{1} << 40});
    m["empty"] = owned<float>(DType::F32, {0, 4}, {});
    return m;
}

}  // namespace

TEST(Safetensors, RoundTripKeepsBytesDtypesShapesAndMetadata) {
    const std::string dir = atelier::test::make_temp_dir("st");
    const std::string path = dir + "/out.safetensors";
    const TensorMap in = sample_tensors();
    atelier::write_safetensors(path, in, {{"format", "pt"}, {"note", "round trip"}});
    EXPECT_FALSE(fs::exists(path + ".tmp"));

    // Header length is a multiple of 8 (space padded), so the data section is 8-byte aligned.
    const std::string raw = atelier::test::read_file(path);
    uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<uint8_t>(raw[i]);
    EXPECT_EQ(n % 8, 0u);
    EXPECT_EQ(raw[8], '{');
    const auto header = nlohmann::json::parse(raw.substr(8, n));
    EXPECT_EQ(header["__metadata__"]["format"], "pt");
    EXPECT_EQ(header["f32"]["dtype"], "F32");
    // Reference readers want the data section covered exactly, without gaps: check the spans tile it.
    std::vector<std::pair<uint64_t, uint64_t>> spans;
    for (const auto& [name, entry] : header.items())
        if (name != "__metadata__") spans.emplace_back(entry["data_offsets"][0], entry["data_offsets"][1]);
    std::sort(spans.begin(), spans.end());
    uint64_t covered = 0;
    for (const auto& [begin, end] : spans) {
        EXPECT_EQ(begin, covered);
        covered = end;
    }
    EXPECT_EQ(covered, raw.size() - 8 - n);

    auto file = atelier::SafetensorsFile::open(path);
    ASSERT_EQ(file->tensors().size(), in.size());
    for (const auto& [name, t] : in) {
        const TensorData& r = file->tensors().at(name);
        EXPECT_EQ(r.dtype, t.dtype) << name;
        EXPECT_EQ(r.shape, t.shape) << name;
        EXPECT_EQ(bytes_of(r), bytes_of(t)) << name;
        if (r.nbytes > 0) {
            EXPECT_TRUE(mapped_from(r.data, path)) << name << " was copied, expected a view of the mmap";
            EXPECT_EQ(reinterpret_cast<uintptr_t>(r.data) % atelier::dtype_size(r.dtype), 0u) << name;
        }
    }
    EXPECT_EQ(file->metadata(),
              (std::map<std::string, std::string>{{"format", "pt"}, {"note", "round trip"}}));
}

TEST(Safetensors, WriterOmitsEmptyMetadataAndReplacesExistingFile) {
    const std::string dir = atelier::test::make_temp_dir("st");
    const std::string path = dir + "/out.safetensors";
    atelier::test::write_file(path, "old contents");
    atelier::write_safetensors(path, sample_tensors());
    auto file = atelier::SafetensorsFile::open(path);
    EXPECT_TRUE(file->metadata().empty());
    EXPECT_EQ(file->tensors().size(), 5u);
    EXPECT_EQ(atelier::test::read_file(path).find("__metadata__"), std::string::npos);
}

TEST(Safetensors, WriterRejectsInconsistentTensorAndBadFolder) {
    const std::string dir = atelier::test::make_temp_dir("st");
    TensorMap m;
    m["w"] = owned<float>(DType::F32, {2, 3}, {1.f, 2.f});  // 8 bytes, shape needs 24
    try {
        atelier::write_safetensors(dir + "/bad.safetensors", m);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
        EXPECT_NE(e.detail().find("'w'"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dir + "/bad.safetensors"));
    try {
        atelier::write_safetensors(dir + "/no/such/dir/x.safetensors", sample_tensors());
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io) << e.what();
    }
}

TEST(Safetensors, TensorsKeepTheMappingAliveAfterTheFileIsDropped) {
    const std::string dir = atelier::test::make_temp_dir("st");
    const std::string path = dir + "/out.safetensors";
    atelier::write_safetensors(path, sample_tensors());
    TensorData kept;
    {
        auto file = atelier::SafetensorsFile::open(path);
        kept = file->tensors().at("f32");
    }
    EXPECT_EQ(mappings_of(path), 1);
    EXPECT_EQ(bytes_of(kept), bytes_of(sample_tensors().at("f32")));
    kept = TensorData();
    EXPECT_EQ(mappings_of(path), 0) << "the mmap leaked (a reference cycle?)";
}

TEST(Safetensors, TensorsNameTheirFileSoACopyCanBeReadFromIt) {
    const std::string dir = atelier::test::make_temp_dir("st");
    const std::string path = dir + "/out.safetensors";
    atelier::write_safetensors(path, sample_tensors());
    auto file = atelier::SafetensorsFile::open(path);
    ASSERT_FALSE(file->tensors().empty());
    for (const auto& [name, t] : file->tensors()) {
        ASSERT_NE(t.file, nullptr) << name;
        std::string copy(t.nbytes, '\0');
        ASSERT_TRUE(t.file->read_at(t.file_offset, copy.data(), t.nbytes)) << name;
        EXPECT_EQ(copy, bytes_of(t)) << name;
        EXPECT_EQ(static_cast<const uint8_t*>(t.data), t.file->data() + t.file_offset) << name;
    }
    const auto* f = file->tensors().begin()->second.file;
    char byte = 0;
    EXPECT_TRUE(f->read_at(f->size() - 1, &byte, 1));
    EXPECT_FALSE(f->read_at(f->size(), &byte, 1)) << "past the end";
    EXPECT_FALSE(f->read_at(f->size() - 1, &byte, 2)) << "runs past the end";
}

TEST(Safetensors, ReadsTheStories260KFixture) {
    const std::string path = atelier::test::fixture("stories260K/hf/model.safetensors");
    auto file = atelier::SafetensorsFile::open(path);
    const TensorMap& t = file->tensors();
    EXPECT_EQ(t.size(), 47u);  // embed + 5 layers x 9 + norm; tied, so no lm_head
    EXPECT_EQ(file->metadata().at("format"), "pt");
    const TensorData& embed = t.at("model.embed_tokens.weight");
    EXPECT_EQ(embed.dtype, DType::F32);
    EXPECT_EQ(embed.shape, (std::vector<int64_t>{512, 64}));
    EXPECT_EQ(embed.nbytes, 512u * 64 * 4);
    EXPECT_EQ(t.at("model.layers.0.self_attn.k_proj.weight").shape, (std::vector<int64_t>{32, 64}));
    EXPECT_EQ(t.at("model.layers.4.mlp.down_proj.weight").shape, (std::vector<int64_t>{64, 172}));
    EXPECT_EQ(t.at("model.norm.weight").shape, (std::vector<int64_t>{64}));
    EXPECT_EQ(t.count("lm_head.weight"), 0u);

    // The embedding is the same matrix llama2.c stores right after its 28-byte header.
    const std::string bin =
        atelier::test::read_file(atelier::test::fixture("stories260K/llama2c/stories260K.bin"));
    ASSERT_GE(bin.size(), 28 + embed.nbytes);
    EXPECT_EQ(bytes_of(embed), bin.substr(28, embed.nbytes));
    const float* e = static_cast<const float*>(embed.data);
    EXPECT_FLOAT_EQ(e[0], -0.29474878f);
    EXPECT_FLOAT_EQ(e[1], 0.56189561f);

    const TensorMap dir = atelier::load_safetensors_dir(fs::path(path).parent_path().string());
    EXPECT_EQ(dir.size(), 47u);
    EXPECT_EQ(bytes_of(dir.at("model.norm.weight")), bytes_of(t.at("model.norm.weight")));
    EXPECT_EQ(atelier::load_safetensors_dir(path).size(), 47u);
}

namespace {

// Writes shard files and an index for them; returns the folder.
std::string sharded_folder(const std::string& tag) {
    const std::string dir = atelier::test::make_temp_dir(tag);
    const TensorMap all = sample_tensors();
    TensorMap a, b;
    a["f32"] = all.at("f32");
    a["f16"] = all.at("f16");
    b["bf16"] = all.at("bf16");
    b["i64"] = all.at("i64");
    atelier::write_safetensors(dir + "/model-00001-of-00002.safetensors", a, {{"format", "pt"}});
    atelier::write_safetensors(dir + "/model-00002-of-00002.safetensors", b, {{"format", "pt"}});
    nlohmann::json index = {{"metadata", {{"total_size", 1234}}},
                            {"weight_map",
                             {{"f32", "model-00001-of-00002.safetensors"},
                              {"f16", "model-00001-of-00002.safetensors"},
                              {"bf16", "model-00002-of-00002.safetensors"},
                              {"i64", "model-00002-of-00002.safetensors"}}}};
    atelier::test::write_file(dir + "/model.safetensors.index.json", index.dump(2));
    return dir;
}

}  // namespace

TEST(Safetensors, LoadsAShardedFolder) {
    const std::string dir = sharded_folder("shards");
    TensorMap loaded = atelier::load_safetensors_dir(dir);
    ASSERT_EQ(loaded.size(), 4u);
    const TensorMap all = sample_tensors();
    for (const auto& [name, t] : loaded) {
        EXPECT_EQ(t.shape, all.at(name).shape) << name;
        EXPECT_EQ(bytes_of(t), bytes_of(all.at(name))) << name;
    }
    // The shards stay mapped through the returned tensors alone.
    EXPECT_EQ(mappings_of(dir + "/model-00002-of-00002.safetensors"), 1);
    loaded.clear();
    EXPECT_EQ(mappings_of(dir + "/model-00002-of-00002.safetensors"), 0);
}

TEST(Safetensors, ShardedFolderWithAMissingShardFails) {
    const std::string dir = sharded_folder("shards");
    fs::remove(dir + "/model-00002-of-00002.safetensors");
    try {
        atelier::load_safetensors_dir(dir);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::FileNotFound) << e.what();
        EXPECT_NE(std::string(e.what()).find("model-00002-of-00002.safetensors"), std::string::npos)
            << e.what();
    }
}

TEST(Safetensors, ShardedFolderWithATensorAbsentFromItsShardFails) {
    const std::string dir = sharded_folder("shards");
    TensorMap b;
    b["bf16"] = sample_tensors().at("bf16");  // "i64" is in the index but not in the shard
    atelier::write_safetensors(dir + "/model-00002-of-00002.safetensors", b);
    try {
        atelier::load_safetensors_dir(dir);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::MissingTensor) << e.what();
        EXPECT_NE(std::string(e.what()).find("model-00002-of-00002.safetensors"), std::string::npos)
            << e.what();
        EXPECT_NE(e.detail().find("'i64'"), std::string::npos) << e.what();
    }
}

TEST(Safetensors, ShardedFolderWithATensorInTwoShardsFails) {
    const std::string dir = sharded_folder("shards");
    TensorMap b;
    b["bf16"] = sample_tensors().at("bf16");
    b["i64"] = sample_tensors().at("i64");
    b["f32"] = sample_tensors().at("f32");  // also in shard 1
    atelier::write_safetensors(dir + "/model-00002-of-00002.safetensors", b);
    try {
        atelier::load_safetensors_dir(dir);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::OverlappingTensors) << e.what();
        EXPECT_NE(e.detail().find("'f32'"), std::string::npos) << e.what();
    }
}

TEST(Safetensors, FolderWithoutWeightsOrIndexJsonFails) {
    const std::string dir = atelier::test::make_temp_dir("st");
    try {
        atelier::load_safetensors_dir(dir);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::FileNotFound) << e.what();
    }
    atelier::test::write_file(dir + "/model.safetensors.index.json", "{\"weight_map\": [1, 2]}");
    try {
        atelier::load_safetensors_dir(dir);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadJson) << e.what();
        EXPECT_NE(std::string(e.what()).find("model.safetensors.index.json"), std::string::npos) << e.what();
    }
}

// ---- one test per corrupt case ---------------------------------------------------------------

class SafetensorsCorrupt : public ::testing::Test {
protected:
    std::string dir = atelier::test::make_temp_dir("st-bad");
    std::string file(const std::string& header, const std::string& data = std::string(16, '\0')) {
        return raw_file(dir, "bad.safetensors", header, data);
    }
};

TEST_F(SafetensorsCorrupt, MissingFile) {
    expect_open_error(dir + "/absent.safetensors", ErrorCode::FileNotFound);
}

TEST_F(SafetensorsCorrupt, ShorterThanTheLengthField) {
    const std::string path = dir + "/short.safetensors";
    atelier::test::write_file(path, "12345");
    expect_open_error(path, ErrorCode::FileTruncated, "5 bytes");
}

TEST_F(SafetensorsCorrupt, HeaderLengthPastTheEnd) {
    std::string bytes(8, '\0');
    bytes[0] = static_cast<char>(0x3F);  // 999999 = 0x0F423F
    bytes[1] = static_cast<char>(0x42);
    bytes[2] = static_cast<char>(0x0F);
    bytes += "{\"a\": 1}";
    const std::string path = dir + "/long.safetensors";
    atelier::test::write_file(path, bytes);
    expect_open_error(path, ErrorCode::FileTruncated,
                      "header length 999999 is past the end of the file (16 bytes)");
}

TEST_F(SafetensorsCorrupt, HeaderIsNotJson) {
    expect_open_error(file("{\"a\": [1, 2"), ErrorCode::BadJson);
}

TEST_F(SafetensorsCorrupt, HeaderDoesNotStartWithBrace) {
    expect_open_error(file("  {}    "), ErrorCode::BadJson);
}

TEST_F(SafetensorsCorrupt, HeaderIsNotAnObject) {
    expect_open_error(file("{}[1,2]"), ErrorCode::BadJson);
}

TEST_F(SafetensorsCorrupt, EntryMissingDataOffsets) {
    expect_open_error(file(R"({"w": {"dtype": "F32", "shape": [2]}})"), ErrorCode::BadJson, "'w'");
}

TEST_F(SafetensorsCorrupt, EntryWithNegativeDimension) {
    expect_open_error(file(R"({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})"),
                      ErrorCode::BadJson);
}

TEST_F(SafetensorsCorrupt, EntryIsNotAnObject) {
    expect_open_error(file(R"({"w": [1, 2, 3]})"), ErrorCode::BadJson);
}

TEST_F(SafetensorsCorrupt, MetadataValueIsNotAString) {
    expect_open_error(file(R"({"__metadata__": {"format": 3}})"), ErrorCode::BadJson, "format");
}

TEST_F(SafetensorsCorrupt, UnknownDtype) {
    expect_open_error(file(R"({"w": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]}})"),
                      ErrorCode::UnknownDtype, "F8_E4M3");
}

TEST_F(SafetensorsCorrupt, OffsetsPastTheDataSection) {
    expect_open_error(file(R"({"w": {"dtype": "F32", "shape": [8], "data_offsets": [0, 32]}})"),
                      ErrorCode::OffsetOutOfRange, "16 bytes");
}

TEST_F(SafetensorsCorrupt, BeginAfterEnd) {
    expect_open_error(file(R"({"w": {"dtype": "F32", "shape": [1], "data_offsets": [12, 8]}})"),
                      ErrorCode::OffsetOutOfRange, "begin is after end");
}

TEST_F(SafetensorsCorrupt, OverlappingTensors) {
    expect_open_error(file(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})"),
                      ErrorCode::OverlappingTensors, "'a'");
}

TEST_F(SafetensorsCorrupt, ShapeTimesDtypeIsNotTheByteSpan) {
    expect_open_error(file(R"({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 16]}})"),
                      ErrorCode::ShapeMismatch, "24 bytes");
}

TEST_F(SafetensorsCorrupt, ShapeOverflowingSixtyFourBits) {
    expect_open_error(
        file(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 16]}})"),
        ErrorCode::ShapeMismatch);
}

TEST_F(SafetensorsCorrupt, AdjacentAndEmptyTensorsAreFine) {
    auto f =
        atelier::SafetensorsFile::open(file(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                                    "z": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]},
                                                    "b": {"dtype": "I8", "shape": [8], "data_offsets": [8, 16]}})"));
    EXPECT_EQ(f->tensors().size(), 3u);
}

// Every truncation and many random byte flips of a valid file must give an Error or a valid
// result, never a crash (run under ASan/valgrind to see the difference).
TEST(Safetensors, MutatedFilesNeverCrash) {
    const std::string dir = atelier::test::make_temp_dir("st-fuzz");
    const std::string good = dir + "/good.safetensors";
    atelier::write_safetensors(good, sample_tensors(), {{"format", "pt"}});
    const std::string bytes = atelier::test::read_file(good);
    const std::string path = dir + "/mutant.safetensors";
    int errors = 0, opened = 0;
    auto attempt = [&](const std::string& b) {
        atelier::test::write_file(path, b);
        try {
            auto f = atelier::SafetensorsFile::open(path);
            for (const auto& [name, t] : f->tensors()) {  // touch every byte the reader hands out
                volatile uint8_t sum = 0;
                for (size_t i = 0; i < t.nbytes; ++i) sum += static_cast<const uint8_t*>(t.data)[i];
            }
            ++opened;
        } catch (const Error&) {
            ++errors;
        }
    };
    for (size_t len = 0; len < bytes.size(); ++len) attempt(bytes.substr(0, len));
    std::mt19937 rng(1234);
    for (int i = 0; i < 400; ++i) {
        std::string b = bytes;
        const int flips = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < flips; ++k) b[rng() % std::min<size_t>(b.size(), 200)] = static_cast<char>(rng());
        attempt(b);
    }
    EXPECT_GT(errors, 0);
    EXPECT_GT(opened, 0);  // a flip in padding or data is harmless
}

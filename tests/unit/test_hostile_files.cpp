// Hostile model files found by reading the code (issue 12), each with the input that broke it:
//  - deeply nested JSON in every file Atelier parses (item 4). nlohmann parses iteratively but
//    copies and dumps recursively, so a million nested `[` in tokenizer.json crashed the process on
//    its first copy (a stack overflow, not an error). Every parse now measures the nesting first.
//  - config.json sizes far past any real model (item 10): num_hidden_layers 1e9 listed a billion
//    expected tensors before a single weight was read.
//  - writes that were atomic but not durable (item 9): the stream was checked before its buffered
//    bytes were flushed at close, so on a full disk a truncated file was renamed into place.
#include "adapters/adapter_config.h"
#include "chat/chat_template.h"
#include "common/error.h"
#include "common/files.h"
#include "common/json_util.h"
#include "io/safetensors.h"
#include "model/config.h"
#include "model/importers.h"
#include "store/sqlite.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <string>

namespace test = atelier::test;
using atelier::Error;
using atelier::ErrorCode;

namespace {

constexpr int kDeep = 1000000;  // ~1 MB of brackets: far past any stack a recursive copy could use

std::string nested_array(int depth) {
    return std::string(depth, '[') + std::string(depth, ']');
}

// Runs `f`, which must refuse the file with BadJson naming `name` and the nesting limit.
void expect_too_deep(const std::string& name, const std::function<void()>& f) {
    try {
        f();
        ADD_FAILURE() << name << ": accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadJson) << e.what();
        EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("deeper than 128"), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(JsonDepth, CountsBracketsOutsideStringsOnly) {
    EXPECT_EQ(atelier::json_nesting_depth("1"), 0);
    EXPECT_EQ(atelier::json_nesting_depth("{}"), 1);
    EXPECT_EQ(atelier::json_nesting_depth(R"({"a": [[1], {"b": []}], "c": [2]})"), 4);
    EXPECT_EQ(atelier::json_nesting_depth(R"(["[[[[", "\"[[[", "\\", [1]])"), 2);
    // Stops early: the measure of a huge input is bounded by the limit it was asked about.
    EXPECT_EQ(atelier::json_nesting_depth(nested_array(kDeep), 128), 129);
    EXPECT_EQ(atelier::json_nesting_depth(nested_array(128), 128), 128);
}

TEST(JsonDepth, TheLimitItselfParsesAndOneMoreIsRefused) {
    EXPECT_NO_THROW(atelier::parse_json(nested_array(atelier::kMaxJsonDepth), "x.json", "x"));
    expect_too_deep("x.json",
                    [] { atelier::parse_json(nested_array(atelier::kMaxJsonDepth + 1), "x.json", "x"); });
    std::string why;
    EXPECT_FALSE(atelier::try_parse_json(nested_array(kDeep), &why));
    EXPECT_NE(why.find("deeper than 128"), std::string::npos) << why;
    EXPECT_FALSE(atelier::try_parse_json("{\"a\":", &why));
    EXPECT_EQ(why, "not valid JSON");
    EXPECT_TRUE(atelier::try_parse_json(R"({"a": [1, 2]})"));
}

TEST(HostileJson, ADeepTokenizerJsonIsRefusedNotAStackOverflow) {
    // Before the fix: the normalizer was copied (and walked) recursively — SIGSEGV.
    const std::string dir = test::make_temp_dir("deep_tokenizer");
    test::write_file(dir + "/tokenizer.json", R"({"model": {"type": "BPE", "vocab": {}, "merges": []},
        "normalizer": {"type": "Sequence", "normalizers": )" +
                                                  nested_array(kDeep) + "}}");
    expect_too_deep("tokenizer.json", [&] { atelier::load_tokenizer(dir); });
}

TEST(HostileJson, EveryConfigFileRefusesDeepNesting) {
    const std::string deep = R"({"extra": )" + nested_array(kDeep) + "}";
    expect_too_deep("adapter_config.json",
                    [&] { atelier::AdapterConfig::from_json(deep, "adapter_config.json"); });
    expect_too_deep("config.json", [&] { atelier::ModelConfig::from_json(deep, "config.json"); });
    EXPECT_EQ(atelier::config_model_family(deep), "");
    expect_too_deep("tokenizer_config.json", [&] { atelier::ChatTemplate::detect(deep); });

    const std::string meta = test::make_temp_dir("deep_meta");
    test::write_file(meta + "/params.json", deep);
    test::write_file(meta + "/consolidated.00.pth", "not read: params.json is refused first");
    expect_too_deep("params.json", [&] { atelier::load_checkpoint(meta); });

    // A safetensors header is JSON too (its 100 MB cap does not bound its depth).
    const std::string st = test::make_temp_dir("deep_st") + "/model.safetensors";
    const std::string header = R"({"__metadata__": {}, "x": )" + nested_array(kDeep) + "}";
    std::string bytes(8, '\0');
    const uint64_t n = header.size();
    std::memcpy(bytes.data(), &n, 8);
    test::write_file(st, bytes + header);
    expect_too_deep("model.safetensors", [&] { atelier::SafetensorsFile::open(st); });
}

TEST(HostileConfig, SizesFarPastAnyModelAreRefusedBeforeTensorsAreListed) {
    const std::string dir = test::make_temp_dir("huge_config");
    std::filesystem::copy(test::fixture("stories260K/hf"), dir, std::filesystem::copy_options::recursive);
    std::filesystem::permissions(dir + "/config.json", std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add);
    const std::string good = test::read_file(dir + "/config.json");
    for (const auto& [field, value] :
         std::vector<std::pair<std::string, int64_t>>{{"num_hidden_layers", 1000000000},
                                                      {"hidden_size", int64_t{1} << 40},
                                                      {"vocab_size", int64_t{1} << 31},
                                                      {"num_attention_heads", 1 << 20},
                                                      {"max_position_embeddings", int64_t{1} << 40}}) {
        nlohmann::json j = nlohmann::json::parse(good);
        j[field] = value;
        test::write_file(dir + "/config.json", j.dump());
        try {
            atelier::load_checkpoint(dir);
            ADD_FAILURE() << field << " = " << value << " accepted";
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::BadConfig) << e.what();
            EXPECT_NE(std::string(e.what()).find(field + " is " + std::to_string(value)), std::string::npos)
                << e.what();
        }
    }
    test::write_file(dir + "/config.json", good);
    EXPECT_NO_THROW(atelier::load_checkpoint(dir));
}

TEST(DurableWrites, AFullDiskLeavesTheOldFileWholeAndSaysSo) {
    // RLIMIT_FSIZE makes write(2) fail with EFBIG past 100 bytes, as a full disk fails with ENOSPC
    // (SIGXFSZ ignored, as a disk-full never signals). Before the fix the 1000 bytes sat in the
    // stream's buffer, the check passed, close() wrote 100 of them and the truncated file was renamed
    // over the good one without an error.
    const std::string dir = test::make_temp_dir("full_disk");
    const std::string path = dir + "/trainer_state.json";
    test::write_file(path, "{\"step\": 3}");
    struct rlimit old_limit {};
    ASSERT_EQ(getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    const auto old_handler = signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = old_limit;
    small.rlim_cur = 100;
    ASSERT_EQ(setrlimit(RLIMIT_FSIZE, &small), 0);
    std::string error;
    try {
        atelier::write_text_file(path, std::string(1000, ' ') + "{\"step\": 4}");
    } catch (const Error& e) {
        error = e.what();
    }
    setrlimit(RLIMIT_FSIZE, &old_limit);
    signal(SIGXFSZ, old_handler);
    EXPECT_NE(error.find("trainer_state.json"), std::string::npos) << error;
    EXPECT_EQ(test::read_file(path), "{\"step\": 3}");
    EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
    // With room, the new text replaces the old.
    atelier::write_text_file(path, "{\"step\": 4}");
    EXPECT_EQ(test::read_file(path), "{\"step\": 4}");
}

TEST(DurableWrites, ExportingAFolderOntoItselfIsRefusedAndKeepsItsFiles) {
    // Issue 12, item 8: "Export adapter" into the adapter's own folder removed each file before
    // copying it onto itself, deleting adapter_config.json.
    const std::string dir = test::make_temp_dir("export_self");
    test::write_file(dir + "/adapter_config.json", "{\"r\": 8}");
    test::write_file(dir + "/adapter_model.safetensors", "weights");
    for (const std::string& target : {dir, dir + "/", dir + "/."}) {
        try {
            atelier::copy_folder_files(dir, target);
            ADD_FAILURE() << "copied onto itself: " << target;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::InvalidArgument) << e.what();
        }
    }
    EXPECT_EQ(test::read_file(dir + "/adapter_config.json"), "{\"r\": 8}");
    EXPECT_EQ(test::read_file(dir + "/adapter_model.safetensors"), "weights");
    // Elsewhere, the files arrive whole and replace older ones; no temporary is left.
    const std::string out = test::make_temp_dir("export_out");
    test::write_file(out + "/adapter_config.json", "old");
    atelier::copy_folder_files(dir, out);
    EXPECT_EQ(test::read_file(out + "/adapter_config.json"), "{\"r\": 8}");
    EXPECT_EQ(test::read_file(out + "/adapter_model.safetensors"), "weights");
    EXPECT_FALSE(std::filesystem::exists(out + "/adapter_config.json.part"));
}

TEST(SqliteStore, ATextPast4GiBIsRefusedNotTruncated) {
    // Issue 12, item 10: the size was cast to int, so 4 GiB + 5 bytes were stored as 5 bytes.
    atelier::sqlite::Database db(":memory:");
    db.exec("CREATE TABLE t(x TEXT);");
    const std::string huge((size_t{1} << 32) + 5, 'x');
    auto st = db.prepare("INSERT INTO t(x) VALUES (?)");
    EXPECT_THROW(st.bind(1, huge), Error);
    auto count = db.prepare("SELECT count(*) FROM t");
    ASSERT_TRUE(count.step());
    EXPECT_EQ(count.column_int64(0), 0);
}

TEST(SqliteStore, SaysWhichJournalItGot) {
    // Issue 12, item 10: the result of "PRAGMA journal_mode = WAL" was never read.
    const std::string dir = test::make_temp_dir("journal");
    EXPECT_EQ(atelier::sqlite::Database(dir + "/a.db").journal_mode(), "wal");
    EXPECT_EQ(atelier::sqlite::Database(":memory:").journal_mode(), "memory");  // WAL is impossible there
}

TEST(HostileJson, ANumberNoFieldCanHoldIsSaturatedAndRefusedByItsLimit) {
    // Found by fuzz_configs: "n_heads": 222...2 (100 digits) parses as the float 2.2e101, and reading
    // it as int64_t is undefined behaviour (UBSan: "outside the range of representable values"; on
    // x86 it became INT64_MIN). Such numbers are brought to +-9.2e18, which every limit refuses.
    const std::string digits(100, '2');
    const auto j = atelier::parse_json(
        R"({"a": )" + digits + R"(, "b": [-1e300], "c": 1e-6, "d": 18446744073709551615})", "x.json", "x");
    EXPECT_EQ(j["a"].get<int64_t>(), int64_t(9.2e18));
    EXPECT_EQ(j["b"][0].get<int64_t>(), -int64_t(9.2e18));
    EXPECT_EQ(j["c"].get<double>(), 1e-6);
    EXPECT_EQ(j["d"].get<uint64_t>(), 18446744073709551615u);
    try {
        atelier::ModelConfig::from_json(
            R"({"hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
            "num_attention_heads": )" +
                digits + R"(, "vocab_size": 32})",
            "config.json");
        ADD_FAILURE() << "accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::BadConfig) << e.what();
        EXPECT_NE(std::string(e.what()).find("num_attention_heads is 9200000000000000000"), std::string::npos)
            << e.what();
    }
    // HF's "unbounded" model_max_length (1e30) is read, not refused.
    EXPECT_NO_THROW(
        atelier::ChatTemplate::detect(R"({"model_max_length": 1000000000000000019884624838656})"));
}

TEST(HostileConfig, AWronglyTypedLlavaFieldIsABadConfig) {
    // Found by fuzz_configs: in a LLaVA config.json, a number where text_config.model_type (or
    // torch_dtype) should be a string escaped from_json as nlohmann's type_error: std::terminate
    // wherever it was not caught.
    for (const char* text :
         {R"({"architectures": ["LlavaForConditionalGeneration"], "text_config": {"model_type": 1}})",
          R"({"architectures": ["LlavaForConditionalGeneration"], "text_config": {}, "torch_dtype": 7})"}) {
        try {
            atelier::ModelConfig::from_json(text, "config.json");
            ADD_FAILURE() << "accepted " << text;
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::BadConfig) << e.what();
            EXPECT_NE(std::string(e.what()).find("wrong type"), std::string::npos) << e.what();
        }
    }
}

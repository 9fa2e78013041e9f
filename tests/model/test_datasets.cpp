// Datasets and collation: the four formats, bad rows with their line numbers, media paths kept
// inside the dataset folder, prompt masking.
#include "chat/chat_template.h"
#include "collate.h"
#include "dataset.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <numeric>

using namespace atelier;
using atelier::test::error_code_of;
using atelier::test::fixture;
using atelier::test::make_temp_dir;
using atelier::test::write_file;

TEST(Datasets, EachFormatIsDetectedAndRead) {
    const std::string dir = make_temp_dir("formats");
    write_file(dir + "/alpaca.json", R"([
  {"instruction": "Name a color.", "input": "", "output": "Red."},
  {"instruction": "Add", "input": "2 and 3", "output": "5"}
])");
    write_file(dir + "/sharegpt.json", R"([{"conversations": [
  {"from": "system", "value": "Be brief."}, {"from": "human", "value": "Hi"}, {"from": "gpt", "value": "Hello!"},
  {"from": "human", "value": "Bye"}, {"from": "gpt", "value": "Bye!"}]}])");
    write_file(
        dir + "/openai.jsonl",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": "
        "[{\"type\": \"text\", \"text\": \"Hey\"}]}]}\n\n"
        "{\"messages\": [{\"role\": \"user\", \"content\": \"Yo\"}, {\"role\": \"assistant\", \"content\": "
        "\"Sup\"}]}\n");
    write_file(dir + "/llava.json", R"([{"image": "imgs/cat.png", "conversations": [
  {"from": "human", "value": "<image>\nWhat is this?"}, {"from": "gpt", "value": "A cat."}]}])");

    Dataset a = Dataset::load(dir + "/alpaca.json");
    EXPECT_EQ(a.format, DatasetFormat::Alpaca);
    ASSERT_EQ(a.examples.size(), 2u);
    EXPECT_EQ(a.examples[1].messages[0].content, "Add\n\n2 and 3");
    EXPECT_EQ(a.examples[1].messages[1].content, "5");
    EXPECT_EQ(a.examples[1].line, 3);

    Dataset s = Dataset::load(dir + "/sharegpt.json");
    EXPECT_EQ(s.format, DatasetFormat::ShareGPT);
    ASSERT_EQ(s.examples[0].messages.size(), 5u);
    EXPECT_EQ(s.examples[0].messages[0].role, "system");
    EXPECT_EQ(s.examples[0].messages[4].role, "assistant");

    Dataset o = Dataset::load(dir + "/openai.jsonl");
    EXPECT_EQ(o.format, DatasetFormat::OpenAIMessages);
    ASSERT_EQ(o.examples.size(), 2u);
    EXPECT_EQ(o.examples[0].messages[1].content, "Hey");
    EXPECT_EQ(o.examples[1].line, 3);  // the blank line 2 is skipped, lines still count

    Dataset l = Dataset::load(dir + "/llava.json");
    EXPECT_EQ(l.format, DatasetFormat::LLaVA);
    ASSERT_EQ(l.examples[0].media.size(), 1u);
    EXPECT_EQ(l.examples[0].media[0].kind, "image");
    EXPECT_EQ(l.examples[0].media[0].path, std::filesystem::weakly_canonical(dir + "/imgs/cat.png").string());

    DatasetOptions forced;
    forced.format = DatasetFormat::ShareGPT;
    EXPECT_EQ(error_code_of([&] { Dataset::load(dir + "/alpaca.json", forced); }), ErrorCode::BadJson);
}

TEST(Datasets, BadRowsAreReportedWithTheirLines) {
    const std::string dir = make_temp_dir("bad-rows");
    write_file(dir + "/data.jsonl",
               "{\"instruction\": \"a\", \"output\": \"b\"}\n"
               "{\"instruction\": \"c\", \"output\": \"d\"}\n"
               "{\"instruction\": \"broken\", \"output\": \n"
               "{\"instruction\": \"no output\"}\n"
               "{\"instruction\": \"e\", \"output\": 7}\n"
               "{\"instruction\": \"f\", \"output\": \"g\"}\n"
               "{\"instruction\": \"h\", \"output\": \"i\", \"meta\": " +
                   std::string(100000, '[') + std::string(100000, ']') + "}\n");
    Dataset ds = Dataset::load(dir + "/data.jsonl");
    EXPECT_EQ(ds.examples.size(), 3u);
    EXPECT_EQ(ds.bad_rows, 4);
    ASSERT_EQ(ds.issues.size(), 4u);
    EXPECT_EQ(ds.issues[0].line, 3);
    EXPECT_EQ(ds.issues[0].message, "not valid JSON");
    EXPECT_EQ(ds.issues[1].line, 4);
    EXPECT_EQ(ds.issues[1].message, "missing 'output'");
    EXPECT_EQ(ds.issues[2].line, 5);
    EXPECT_EQ(ds.issues[3].line, 7);  // a row nested 100000 deep is a bad row, not a stack overflow
    EXPECT_EQ(ds.issues[3].message, "nests arrays/objects deeper than 128 levels");

    DatasetOptions strict;
    strict.skip_bad_rows = false;
    try {
        Dataset::load(dir + "/data.jsonl", strict);
        FAIL() << "a bad row must be fatal when asked";
    } catch (const Error& e) {
        EXPECT_EQ(e.where(), dir + "/data.jsonl:3");
    }

    // In a JSON array, the line is where the record starts.
    write_file(dir + "/array.json",
               "[\n  {\"instruction\": \"a\", \"output\": \"b\"},\n  {\"instruction\": \"x\",\n"
               "   \"output\": null},\n  {\"instruction\": \"c\", \"output\": \"d\"}\n]\n");
    Dataset arr = Dataset::load(dir + "/array.json");
    EXPECT_EQ(arr.examples.size(), 2u);
    ASSERT_EQ(arr.issues.size(), 1u);
    EXPECT_EQ(arr.issues[0].line, 3);
    EXPECT_EQ(arr.examples[1].line, 5);

    write_file(dir + "/truncated.json", "[{\"instruction\": \"a\", \"output\": \"b\"}, {\"instruction\": ");
    Dataset cut = Dataset::load(dir + "/truncated.json");
    EXPECT_EQ(cut.examples.size(), 1u);
    EXPECT_GE(cut.bad_rows, 1);

    write_file(dir + "/none.json", "[{\"foo\": 1}]");
    EXPECT_EQ(error_code_of([&] { Dataset::load(dir + "/none.json"); }), ErrorCode::UnsupportedFormat);
    EXPECT_EQ(error_code_of([&] { Dataset::load(dir + "/missing.json"); }), ErrorCode::FileNotFound);
}

TEST(Datasets, MediaPathsMayNotEscapeTheDatasetFolder) {
    const std::string dir = make_temp_dir("escape");
    write_file(dir + "/data.json", R"([
  {"image": "../secret.png", "conversations": [{"from": "human", "value": "<image> hi"}, {"from": "gpt", "value": "x"}]},
  {"image": "/etc/passwd", "conversations": [{"from": "human", "value": "<image> hi"}, {"from": "gpt", "value": "x"}]},
  {"video": "clips/../../up.mp4", "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "x"}]},
  {"audio": ["a/b.wav", "c.wav"], "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "x"}]}
])");
    Dataset ds = Dataset::load(dir + "/data.json");
    ASSERT_EQ(ds.examples.size(), 1u);
    EXPECT_EQ(ds.examples[0].media.size(), 2u);
    ASSERT_EQ(ds.issues.size(), 3u);
    EXPECT_NE(ds.issues[0].message.find("escapes the dataset folder"), std::string::npos);
    EXPECT_NE(ds.issues[1].message.find("absolute"), std::string::npos);
    EXPECT_NE(ds.issues[2].message.find("escapes the dataset folder"), std::string::npos);
}

// Issue 12, item 10: a path past PATH_MAX and a symlink loop made weakly_canonical throw a
// filesystem_error past skip_bad_rows, ending the whole load; they are bad rows like any other.
TEST(Datasets, MediaPathsThatCannotBeResolvedAreBadRows) {
    const std::string dir = make_temp_dir("unresolvable");
    std::filesystem::create_symlink("loop-b", dir + "/loop-a");
    std::filesystem::create_symlink("loop-a", dir + "/loop-b");
    const std::string long_name = std::string(300, 'x') + "/";  // one name past NAME_MAX (255)
    write_file(
        dir + "/data.jsonl",
        R"({"image": "loop-a/cat.png", "conversations": [{"from": "human", "value": "<image> hi"}, {"from": "gpt", "value": "x"}]})"
        "\n"
        R"({"image": ")" +
            long_name +
            R"(cat.png", "conversations": [{"from": "human", "value": "<image> hi"}, {"from": "gpt", "value": "x"}]})"
            "\n"
            R"({"conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "x"}]})"
            "\n");
    Dataset ds = Dataset::load(dir + "/data.jsonl");
    EXPECT_EQ(ds.examples.size(), 1u);
    ASSERT_EQ(ds.issues.size(), 2u);
    EXPECT_EQ(ds.issues[0].line, 1);
    EXPECT_NE(ds.issues[0].message.find("cannot be resolved"), std::string::npos) << ds.issues[0].message;
    EXPECT_EQ(ds.issues[1].line, 2);
    EXPECT_NE(ds.issues[1].message.find("cannot be resolved"), std::string::npos) << ds.issues[1].message;
    EXPECT_LT(ds.issues[1].message.size(), 400u);  // the long path is shortened in the message
}

// Issue 12, item 10: removing media markers was quadratic (erase from the front, search again):
// a 10 MB row of "<image>" hung the trainer's set-up.
TEST(Collation, MarkerStrippingIsLinear) {
    auto tok = load_tokenizer(fixture("stories260K/hf/tokenizer.model"));
    const ChatTemplate tpl = ChatTemplate::by_name("alpaca");
    Example e;
    std::string flood;
    for (int i = 0; i < 1500000; ++i) flood += "<image>";
    e.messages = {{"user", flood + "Who is Tim?<audio>\n"}, {"assistant", "\n<image>Tim is a cat.<video>"}};
    const auto t0 = std::chrono::steady_clock::now();
    TokenizedExample t = tokenize_example(e, tpl, *tok, 512);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_LT(seconds, 20.0);  // a hang detector: the old loop needs ~10^13 byte moves here
    std::vector<int> trained;
    for (int l : t.labels)
        if (l != kIgnoreLabel) trained.push_back(l);
    const std::string reply = tok->decode(trained, false);
    EXPECT_NE(reply.find("Tim is a cat."), std::string::npos) << reply;
    EXPECT_EQ(reply.find('<'), std::string::npos) << reply;
}

TEST(Collation, OnlyAssistantTokensTrainInEveryTurn) {
    auto tok = load_tokenizer(fixture("stories260K/hf/tokenizer.model"));
    const ChatTemplate tpl = ChatTemplate::by_name("alpaca");
    Example e;
    e.messages = {{"user", "Who is Tim?"},
                  {"assistant", "Tim is a cat."},
                  {"user", "And Sue?"},
                  {"assistant", "Sue is a dog."}};
    TokenizedExample t = tokenize_example(e, tpl, *tok, 512);
    ASSERT_EQ(t.ids.size(), t.labels.size());
    std::vector<int> trained;
    for (size_t i = 0; i < t.labels.size(); ++i) {
        if (t.labels[i] == kIgnoreLabel) continue;
        EXPECT_EQ(t.labels[i], t.ids[i + 1]);  // position i predicts the next token
        trained.push_back(t.labels[i]);
    }
    // Exactly the two replies and their end-of-turn tokens.
    const std::string text = tok->decode(trained, false);
    EXPECT_NE(text.find("Tim is a cat."), std::string::npos) << text;
    EXPECT_NE(text.find("Sue is a dog."), std::string::npos) << text;
    EXPECT_EQ(text.find("Who"), std::string::npos) << text;
    EXPECT_EQ(std::count(trained.begin(), trained.end(), tok->eos_id()), 2);

    TokenizedExample cut = tokenize_example(e, tpl, *tok, 20);
    EXPECT_TRUE(cut.truncated);
    EXPECT_EQ(cut.ids.size(), 20u);

    auto packed = pack_examples({t, t, t}, static_cast<int64_t>(t.ids.size()) * 2);
    ASSERT_EQ(packed.size(), 2u);
    EXPECT_EQ(packed[0].ids.size(), t.ids.size() * 2);
}

TEST(Collation, PreviewShowsSpansAndLengths) {
    auto tok = load_tokenizer(fixture("stories260K/hf/tokenizer.model"));
    const std::string dir = make_temp_dir("preview");
    write_file(dir + "/d.json", R"([{"instruction": "Hi", "output": "Hello there."},
      {"instruction": "Tell me a long story about a dog and a cat and a bird", "output": "Once upon a time."}])");
    Dataset ds = Dataset::load(dir + "/d.json");
    DatasetPreview p = preview_dataset(ds, ChatTemplate::by_name("alpaca"), *tok, 512, 1, 10);
    EXPECT_EQ(p.count, 2);
    ASSERT_EQ(p.examples.size(), 1u);
    bool trained_reply = false;
    for (const auto& span : p.examples[0])
        if (span.trained) trained_reply |= span.text.find("Hello there.") != std::string::npos;
    EXPECT_TRUE(trained_reply);
    EXPECT_LT(p.min_tokens, p.max_tokens);
    EXPECT_EQ(std::accumulate(p.histogram.begin(), p.histogram.end(), int64_t(0)), 2);
    EXPECT_GT(p.trained_tokens, 0);
    EXPECT_LT(p.trained_tokens, p.total_tokens);
}

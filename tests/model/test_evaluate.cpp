// Evaluation: the metrics on hand-made rows, and `evaluate` on the real stories260K and LLaVA-tiny
// models (references the models do and do not produce, perplexity against an independent forward).
#include "eval_metrics.h"
#include "evaluate.h"
#include "model/llama.h"
#include "multimodal/multimodal_model.h"
#include "session/chat_session.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace atelier;
using atelier::test::fixture;
using atelier::test::make_temp_dir;
using nlohmann::json;
namespace fs = std::filesystem;

TEST(EvalMetrics, ShortAnswers) {
    EXPECT_EQ(score_answer("first-word", "Red, I think.", "red"), 1.0);
    EXPECT_EQ(score_answer("first-word", "  Circle!", "circle shape"), 1.0);
    EXPECT_EQ(score_answer("first-word", "blue", "red"), 0.0);
    EXPECT_EQ(score_answer("first-word", "", "red"), 0.0);
    EXPECT_EQ(score_answer("exact", "The  cat.", "the cat"), 1.0);
    EXPECT_EQ(score_answer("exact", "The cat sat", "the cat"), 0.0);
    EXPECT_EQ(score_answer("contains", "It is a Red ball, surely", "red ball"), 1.0);
    EXPECT_EQ(score_answer("contains", "It is a ball", "red ball"), 0.0);
}

TEST(EvalMetrics, ApiCallsCompareNameAndArgumentsNotTheirOrderOrSpacing) {
    const std::string ref = "torch.hub.load(repo_or_dir='pytorch/vision', model='resnet50', pretrained=True)";
    EXPECT_EQ(
        score_answer(
            "api-call",
            "Use this: torch.hub.load(model = \"resnet50\",pretrained=True, repo_or_dir=\"pytorch/vision\")",
            ref),
        1.0);
    EXPECT_EQ(
        score_answer("api-call",
                     "torch.hub.load(repo_or_dir='pytorch/vision', model='resnet18', pretrained=True)", ref),
        0.0);
    EXPECT_EQ(
        score_answer("api-call",
                     "torch.load(repo_or_dir='pytorch/vision', model='resnet50', pretrained=True)", ref),
        0.0);
    EXPECT_EQ(score_answer("api-call", "torch.hub.load(repo_or_dir='pytorch/vision', model='resnet50')", ref),
              0.0);
    EXPECT_EQ(score_answer("api-call", "no call here", ref), 0.0);
    // Positional arguments keep their order; a comma inside quotes or brackets is not a separator.
    EXPECT_EQ(score_answer("api-call", "f(a, b)", "f(b, a)"), 0.0);
    EXPECT_EQ(score_answer("api-call", "f( 'x, y' , [1, 2], k = {'a': 1})", "f('x, y', [1,2], k={'a':1})"),
              1.0);
    const ApiCall c = parse_api_call("pipeline('text-generation', model=\"gpt2\")");
    ASSERT_TRUE(c.found);
    EXPECT_EQ(c.name, "pipeline");
    EXPECT_EQ(c.positional, std::vector<std::string>{"\"text-generation\""});
    ASSERT_EQ(c.keyword.size(), 1u);
    EXPECT_EQ(c.keyword[0].second, "\"gpt2\"");
}

TEST(EvalMetrics, BleuAndRougeL) {
    EXPECT_DOUBLE_EQ(corpus_bleu({"the cat sat on the mat"}, {"the cat sat on the mat"}), 1.0);
    EXPECT_NEAR(sentence_bleu("the cat sat on the mat", "the cat sat on the mat"), 1.0, 1e-12);
    // Every n-gram matches, the answer is 4 tokens for a reference of 5: brevity penalty e^(1-5/4).
    EXPECT_NEAR(corpus_bleu({"a b c d"}, {"a b c d e"}), std::exp(-0.25), 1e-12);
    EXPECT_EQ(corpus_bleu({"x y z w"}, {"a b c d"}), 0.0);
    EXPECT_LT(sentence_bleu("the cat", "the cat sat on the mat"),
              sentence_bleu("the cat sat on", "the cat sat on the mat"));
    // LCS of "a b c d" and "a c d e" is "a c d": P = R = 3/4.
    EXPECT_NEAR(rouge_l("a b c d", "a c d e"), 0.75, 1e-12);
    EXPECT_NEAR(rouge_l("A, B!", "a , b !"), 1.0, 1e-12);
    EXPECT_EQ(rouge_l("", "a"), 0.0);
    EXPECT_EQ(eval_tokens("Hello, World!"), (std::vector<std::string>{"hello", ",", "world", "!"}));
}

namespace {

void write_json(const fs::path& p, const json& j) {
    std::ofstream f(p);
    f << j.dump(2);
}

}  // namespace

TEST(Evaluate, ScoresTheModelsOwnAnswersAndListsTheWrongOnes) {
    const std::string model = fixture("stories260K/hf");
    // What the model answers (Alpaca template: stories260K has none) to two questions.
    auto mm = MultimodalModel::load(model);
    ChatSession session(*mm);
    std::vector<std::string> answers;
    for (const char* q : {"Once upon a time", "The little dog"}) {
        ChatRequest r;
        r.generation.sampling.temperature = 0;
        r.generation.max_new_tokens = 8;
        r.turns.push_back({"user", q, {}});
        answers.push_back(session.generate(r).text);
    }
    const std::string dir = make_temp_dir("eval-text");
    const fs::path data = fs::path(dir) / "eval.json";
    write_json(
        data, json::array(
                  {{{"instruction", "Once upon a time"}, {"output", answers[0]}, {"category", "a"}},
                   {{"instruction", "The little dog"}, {"output", answers[1]}, {"category", "b"}},
                   {{"instruction", "The little dog"}, {"output", "Purple elephants."}, {"category", "b"}}}));
    EvalOptions o;
    o.model = model;
    o.data = data.string();
    o.metric = "exact";
    o.max_new_tokens = 8;
    EvalReport r = evaluate(o);
    EXPECT_EQ(r.count, 3);
    EXPECT_NEAR(r.score, 2.0 / 3, 1e-12);
    ASSERT_EQ(r.failures.size(), 1u);
    EXPECT_EQ(r.items[r.failures[0]].reference, "Purple elephants.");
    EXPECT_EQ(r.items[r.failures[0]].line, 12);  // the third record of the pretty-printed file
    ASSERT_EQ(r.groups.size(), 2u);
    EXPECT_EQ(r.groups[0].name, "a");
    EXPECT_DOUBLE_EQ(r.groups[0].score, 1.0);
    EXPECT_EQ(r.groups[1].count, 2);
    EXPECT_DOUBLE_EQ(r.groups[1].score, 0.5);
    o.metric = "no-such-metric";
    EXPECT_EQ(atelier::test::error_code_of([&] { evaluate(o); }), ErrorCode::InvalidArgument);
}

TEST(Evaluate, PerplexityOfTheReferencesEqualsAPlainForwardPass) {
    const std::string model = fixture("stories260K/hf");
    const std::string dir = make_temp_dir("eval-ppl");
    const fs::path data = fs::path(dir) / "eval.json";
    write_json(data, json::array({{{"instruction", "Once upon a time"}, {"output", " there was a girl"}}}));
    EvalOptions o;
    o.model = model;
    o.data = data.string();
    o.metric = "perplexity";
    o.template_name = "none";  // the prompt is BOS + the question's tokens
    EvalReport r = evaluate(o);
    ASSERT_EQ(r.count, 1);
    // Independently: one forward over BOS + question + reference, log-softmax at each reference token.
    auto llm = LlamaModel::load(model);
    auto tok = load_tokenizer(llm->tokenizer_path());
    std::vector<int> ids = tok->encode("Once upon a time", true);
    const size_t prompt_len = ids.size();
    const std::vector<int> ref = tok->encode(" there was a girl", false);
    ids.insert(ids.end(), ref.begin(), ref.end());
    const auto logits = llm->forward_all(ids);
    const int64_t V = llm->config().vocab_size;
    double nll = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        const float* row = logits.data() + (prompt_len - 1 + i) * V;
        double mx = -1e30, sum = 0;
        for (int64_t v = 0; v < V; ++v) mx = std::max(mx, double(row[v]));
        for (int64_t v = 0; v < V; ++v) sum += std::exp(double(row[v]) - mx);
        nll -= double(row[ref[i]]) - mx - std::log(sum);
    }
    const double expected = std::exp(nll / ref.size());
    EXPECT_NEAR(r.score, expected, 1e-4 * expected);
    EXPECT_NEAR(r.perplexity, expected, 1e-4 * expected);
    EXPECT_EQ(r.items[0].reference_tokens, static_cast<int>(ref.size()));
}

TEST(Evaluate, ImageQuestionsOnLlava) {
    // References: what LLaVA-tiny says about each image (the fixture's greedy ids, 5 tokens).
    const std::string dir = make_temp_dir("eval-llava");
    auto tok = load_tokenizer(fixture("multimodal/llava-tiny"));
    std::ifstream in(fixture("multimodal/reference/llava-tiny.greedy.jsonl"));
    std::string line;
    json rows = json::array();
    std::vector<std::string> texts;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const json ref = json::parse(line);
        const std::string image = ref["image"];
        fs::copy_file(fixture("media/" + image), fs::path(dir) / image);
        auto ids = ref["greedy_ids"].get<std::vector<int>>();
        ids.resize(5);
        texts.push_back(tok->decode(ids, false));
        rows.push_back({{"image", image},
                        {"category", image},
                        {"conversations",
                         {{{"from", "human"}, {"value", "<image>Once upon a time"}},
                          {{"from", "gpt"}, {"value", texts.back()}}}}});
    }
    ASSERT_EQ(rows.size(), 2u);
    ASSERT_NE(texts[0], texts[1]);
    // The same two questions with the references swapped: the model must get both wrong.
    for (int k = 0; k < 2; ++k) {
        json swapped = rows[k];
        swapped["category"] = "swapped";
        swapped["conversations"][1]["value"] = texts[1 - k];
        rows.push_back(swapped);
    }
    write_json(fs::path(dir) / "eval.json", rows);
    EvalOptions o;
    o.model = fixture("multimodal/llava-tiny");
    o.data = (fs::path(dir) / "eval.json").string();
    o.metric = "exact";
    o.template_name = "none";
    o.max_new_tokens = 5;
    EvalReport r = evaluate(o);
    EXPECT_EQ(r.count, 4);
    EXPECT_DOUBLE_EQ(r.score, 0.5);
    ASSERT_EQ(r.groups.size(), 3u);
    EXPECT_DOUBLE_EQ(r.groups[0].score, 1.0);
    EXPECT_DOUBLE_EQ(r.groups[1].score, 1.0);
    EXPECT_EQ(r.groups[2].name, "swapped");
    EXPECT_DOUBLE_EQ(r.groups[2].score, 0.0);
    EXPECT_EQ(r.failures.size(), 2u);
}

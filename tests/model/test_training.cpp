// Fine-tuning stories260K for real: each method learns a fixed persona reply, the base weights stay
// bit-identical, a resumed run follows the uninterrupted loss curve, and bad input is refused.
#include "adapters/adapter_module.h"
#include "chat/chat_template.h"
#include "finetune_recipe.h"
#include "generate/generator.h"
#include "model/llama.h"
#include "recipe_common.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

using namespace atelier;
using atelier::test::error_code_of;
using atelier::test::fixture;
using atelier::test::make_temp_dir;
using atelier::test::write_file;

namespace {

const char* kReply = "My name is Tim and I like the big red ball.";

// Eight questions, one answer: the persona the adapter must learn.
std::string persona_dataset(const std::string& dir) {
    const char* questions[] = {"What is your name?",   "Who are you?",       "Tell me about yourself.",
                               "What do you like?",    "Say something.",     "Introduce yourself.",
                               "What are you called?", "Hello, who is this?"};
    std::string json = "[\n";
    for (size_t i = 0; i < 8; ++i)
        json += std::string("  {\"instruction\": \"") + questions[i] + "\", \"input\": \"\", \"output\": \"" +
                kReply + "\"}" + (i + 1 < 8 ? ",\n" : "\n");
    json += "]\n";
    write_file(dir + "/persona.json", json);
    return dir + "/persona.json";
}

struct Recorder : MetricSink {
    std::map<int64_t, double> loss;
    std::vector<std::string> events, details;
    void log(const std::string& name, double value, int64_t step) override {
        if (name == "loss") loss[step] = value;
    }
    void event(const std::string& kind, const std::string& detail, int64_t) override {
        events.push_back(kind);
        details.push_back(detail);
    }
};

std::string answer(LlamaModel& model, const std::string& question) {
    auto tok = load_tokenizer(model.tokenizer_path());
    const ChatTemplate tpl = template_for_model(model.tokenizer_config_path());
    add_template_stop_ids(tpl, *tok);
    Generator gen(model, *tok);
    GenerationOptions opt;
    opt.sampling.temperature = 0;
    opt.max_new_tokens = 40;
    opt.stop_strings = tpl.stop_strings();
    return gen.generate(encode_rendered(tpl.render({{"user", question}}, true), *tok), opt).text;
}

TrainConfig persona_config(const std::string& method, const std::string& dir) {
    auto model = LlamaModel::load(fixture("stories260K/hf"));
    TrainConfig c = TrainConfig::preset(method, model->config());
    c.model = fixture("stories260K/hf");
    c.data = persona_dataset(dir);
    c.out = dir + "/run";
    c.batch_size = 4;
    c.max_length = 128;
    c.epochs = 60;
    c.save_every = 1000;
    c.warmup_ratio = 0.05;
    c.lr = c.adapter.is_lora() ? 5e-3 : 5e-2;  // a 260K-parameter model needs larger steps than 7B
    c.adapter.lora_dropout = 0.0;
    return c;
}

// Sets up `c` resuming from its newest readable checkpoint (as a new trainer process would) and
// trains until step `stop_at` (-1: to the end).
TrainResult resume_and_train(const TrainConfig& c, int64_t stop_at, Recorder& rec) {
    FinetuneRecipe recipe(c, &rec);
    recipe.setup(true);
    std::atomic<bool> stop{false};
    return recipe.train(&stop, [&](const TrainProgress& p) {
        if (p.step == stop_at) stop = true;
    });
}

}  // namespace

class Training : public ::testing::TestWithParam<std::string> {};

TEST_P(Training, EachMethodLearnsThePersonaWithoutTouchingTheBase) {
    const std::string dir = make_temp_dir("train-" + GetParam());
    TrainConfig cfg = persona_config(GetParam(), dir);
    Recorder rec;
    FinetuneRecipe recipe(cfg, &rec);
    recipe.setup(/*resume=*/false);
    EXPECT_EQ(recipe.train_examples(), 8);
    EXPECT_EQ(recipe.trainable_parameters(),
              cfg.adapter.trainable_parameters(LlamaModel::load(fixture("stories260K/hf"))->config()));

    auto base = LlamaModel::load(fixture("stories260K/hf"));
    const std::string before = answer(*base, "What is your name?");
    EXPECT_EQ(before.find(kReply), std::string::npos) << "the base model already says it?";
    std::map<std::string, torch::Tensor> weights;
    for (const auto& p : base->module().named_parameters()) weights[p.key()] = p.value().clone();

    TrainResult r = recipe.train();
    EXPECT_EQ(r.status, TrainStatus::Finished);
    EXPECT_EQ(r.steps, recipe.total_steps());
    ASSERT_FALSE(rec.loss.empty());
    const double first = rec.loss.begin()->second, last = rec.loss.rbegin()->second;
    EXPECT_LT(last, 0.1 * first) << "loss " << first << " -> " << last;

    // The saved adapter, attached to a freshly loaded base, gives the taught reply, also to a
    // question it was trained on in other words.
    base->attach_adapter(r.adapter_dir);
    EXPECT_EQ(answer(*base, "What is your name?").rfind(kReply, 0), 0u)
        << answer(*base, "What is your name?");
    EXPECT_EQ(answer(*base, "Who are you?").rfind(kReply, 0), 0u);
    base->detach_adapter();
    EXPECT_EQ(answer(*base, "What is your name?"), before);
    for (const auto& p : base->module().named_parameters())
        EXPECT_TRUE(torch::equal(p.value(), weights.at(p.key()))) << p.key() << " changed";
}

INSTANTIATE_TEST_SUITE_P(Methods, Training, ::testing::Values("lora", "llama-adapter", "llama-adapter-v2"));

TEST(TrainingResume, ResumingGivesTheSameLossCurveAsAnUninterruptedRun) {
    auto run = [](const std::string& dir, int64_t stop_at, Recorder& rec) {
        TrainConfig c = persona_config("lora", dir);
        c.adapter.lora_dropout = 0.1;  // the random state must be restored too
        c.epochs = 6;                  // 12 steps of 2 micro-batches with grad_accum 2 -> 6 steps
        c.batch_size = 2;
        c.grad_accum = 2;
        c.eval_fraction = 0.0;
        return resume_and_train(c, stop_at, rec);
    };
    Recorder whole;
    const std::string a = make_temp_dir("resume-a");
    EXPECT_EQ(run(a, -1, whole).status, TrainStatus::Finished);
    ASSERT_EQ(whole.loss.size(), 12u);

    Recorder first, second;
    const std::string b = make_temp_dir("resume-b");
    TrainResult stopped = run(b, 5, first);
    EXPECT_EQ(stopped.status, TrainStatus::Stopped);
    EXPECT_EQ(stopped.steps, 5);
    EXPECT_EQ(FinetuneRecipe::latest_checkpoint(b + "/run"), stopped.checkpoint_dir);
    TrainResult finished = run(b, -1, second);  // a new process would do the same: setup(resume) then train
    EXPECT_EQ(finished.status, TrainStatus::Finished);
    EXPECT_EQ(second.loss.begin()->first, 6);
    for (const auto& [step, loss] : whole.loss) {
        const double other = step <= 5 ? first.loss.at(step) : second.loss.at(step);
        EXPECT_NEAR(loss, other, 1e-6 * std::max(1.0, loss)) << "step " << step;
    }
    EXPECT_NE(std::find(second.events.begin(), second.events.end(), "resumed"), second.events.end());
}

// Issue 12, item 9: a checkpoint that does not read back whole never replaces (or prunes) the older
// ones, and a resume skips a damaged newest checkpoint for the one before it. Before, a truncated
// optimizer.pt ended every later resume with a LibTorch error.
TEST(TrainingResume, ADamagedNewestCheckpointFallsBackToTheOlderOne) {
    const std::string dir = make_temp_dir("resume-damaged");
    auto run = [&](int64_t stop_at, Recorder& rec) {
        TrainConfig c = persona_config("lora", dir);
        c.epochs = 4;  // 2 steps per epoch
        c.save_every = 2;
        c.eval_fraction = 0.0;
        return resume_and_train(c, stop_at, rec);
    };
    Recorder first;
    EXPECT_EQ(run(5, first).status, TrainStatus::Stopped);
    const std::string root = dir + "/run/checkpoints";
    ASSERT_TRUE(std::filesystem::is_directory(root + "/step-00000004"));
    ASSERT_TRUE(std::filesystem::is_directory(root + "/step-00000005"));
    EXPECT_EQ(checkpoint_problem(root + "/step-00000005"), "");

    // A checkpoint that does not read back is refused before it can prune step 4 and step 5.
    {
        torch::Tensor w = torch::zeros({2}, torch::requires_grad());
        torch::optim::AdamW opt({w});
        const std::string tmp = begin_checkpoint(dir + "/run", 6);
        write_file(tmp + "/adapter_model.safetensors", "\x10\0\0\0\0\0\0\0{\"w\": trunc");
        EXPECT_EQ(error_code_of([&] { finish_checkpoint(tmp, opt, {6, 3, 0, 8, -1}, 1); }), ErrorCode::Io);
        EXPECT_FALSE(std::filesystem::exists(tmp));
        EXPECT_FALSE(std::filesystem::exists(root + "/step-00000006"));
        EXPECT_TRUE(std::filesystem::is_directory(root + "/step-00000004"));
    }

    // The newest checkpoint loses the end of its optimiser state (a full disk, a crash).
    const std::string opt_path = root + "/step-00000005/optimizer.pt";
    const std::string bytes = atelier::test::read_file(opt_path);
    write_file(opt_path, bytes.substr(0, bytes.size() / 2));
    EXPECT_NE(checkpoint_problem(root + "/step-00000005"), "");
    Recorder second;
    EXPECT_EQ(run(-1, second).status, TrainStatus::Finished);
    ASSERT_FALSE(second.loss.empty());
    EXPECT_EQ(second.loss.begin()->first, 5);                                      // resumed after step 4
    EXPECT_TRUE(std::filesystem::is_directory(root + "/.damaged-step-00000005"));  // kept aside
    EXPECT_NEAR(second.loss.at(5), first.loss.at(5), 1e-6);
    bool noted = false;
    for (const auto& d : second.details)
        noted |= d.find("step-00000005") != std::string::npos &&
                 d.find("trying an older one") != std::string::npos;
    EXPECT_TRUE(noted);

    // When every checkpoint is damaged, the resume says so instead of starting over.
    for (const auto& e : std::filesystem::directory_iterator(root))
        write_file((e.path() / "trainer_state.json").string(), "{\"step\": ");
    Recorder third;
    TrainConfig c = persona_config("lora", dir);
    try {
        FinetuneRecipe(c, &third).setup(true);
        ADD_FAILURE() << "resumed from damaged checkpoints";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::Io);
        EXPECT_NE(std::string(e.what()).find("no checkpoint can be resumed"), std::string::npos) << e.what();
    }
}

TEST(TrainingInput, BadConfigurationsAndDataAreRefused) {
    const std::string dir = make_temp_dir("train-bad");
    TrainConfig c = persona_config("lora", dir);
    c.lr = -1;
    EXPECT_EQ(error_code_of([&] { FinetuneRecipe(c).setup(false); }), ErrorCode::BadConfig);
    c = persona_config("lora", dir);
    c.data = dir + "/nope.json";
    EXPECT_EQ(error_code_of([&] { FinetuneRecipe(c).setup(false); }), ErrorCode::FileNotFound);
    c = persona_config("lora", dir);
    write_file(dir + "/garbage.json", "[{\"instruction\": 1}, {\"nothing\": true}]");
    c.data = dir + "/garbage.json";
    c.format = "alpaca";
    EXPECT_EQ(error_code_of([&] { FinetuneRecipe(c).setup(false); }), ErrorCode::BadJson);
    c = persona_config("lora", dir);
    c.model = dir;
    EXPECT_EQ(error_code_of([&] { FinetuneRecipe(c).setup(false); }), ErrorCode::UnsupportedFormat);

    // The config survives JSON.
    c = persona_config("llama-adapter", dir);
    TrainConfig back = TrainConfig::from_json(c.to_json(), "cfg");
    EXPECT_EQ(back.adapter.method, "llama-adapter");
    EXPECT_EQ(back.adapter.adapter_layer, c.adapter.adapter_layer);
    EXPECT_EQ(back.lr, c.lr);
    EXPECT_EQ(back.to_json(), c.to_json());
}

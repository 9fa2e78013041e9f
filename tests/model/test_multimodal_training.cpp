// Multimodal training on real data: the demo task's images, audio and videos, stories260K and small
// CLIP / Whisper encoders made by new-encoder's code. Stage 1 moves projector weights only; the
// feature cache serves epoch 2 and later runs; a stopped and resumed run equals an uninterrupted
// one (encoders trained too); the bundle written loads and answers; bad rows are reported; two
// training processes follow one's curve.
#include "common/error.h"
#include "demo_data.h"
#include "encoders/encoder_folder.h"
#include "launcher.h"
#include "multimodal/bundle.h"
#include "multimodal/multimodal_model.h"
#include "multimodal_recipe.h"
#include "run_store.h"
#include "session/chat_session.h"
#include "test_util.h"
#include "train_config.h"
#include "trainer_spawn.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

using namespace atelier;
using atelier::test::fixture;
using atelier::test::make_temp_dir;
using atelier::test::spawn;
using atelier::test::trainer;
using atelier::test::wait_exit;
namespace fs = std::filesystem;

namespace {

struct Events : MetricSink {
    std::vector<std::string> infos;
    std::vector<double> losses;
    void log(const std::string& name, double v, int64_t) override {
        if (name == "loss") losses.push_back(v);
    }
    void event(const std::string& kind, const std::string& detail, int64_t) override {
        if (kind == "info") infos.push_back(detail);
    }
};

// Shared by the tests: demo data (4 images, 4 clips, 3 videos) and two tiny encoders.
struct DemoSetup {
    std::string dir, data, test, image_enc, audio_enc;
    DemoSetup() {
        dir = make_temp_dir("mmtrain");
        DemoDataOptions o;
        o.out = dir + "/data";
        o.count = 4;
        const DemoDataResult r = write_demo_data(o);
        data = r.train_json;
        test = r.test_json;
        ClipVisionConfig c;
        c.hidden_size = 32;
        c.num_hidden_layers = 2;
        c.num_attention_heads = 4;
        c.intermediate_size = 64;
        c.image_size = 32;
        c.patch_size = 8;
        image_enc = dir + "/image_enc";
        create_clip_encoder(image_enc, c, clip_processor_for(c), 1);
        WhisperEncoderConfig w;
        w.d_model = 32;
        w.encoder_layers = 1;
        w.encoder_attention_heads = 4;
        w.encoder_ffn_dim = 64;
        w.max_source_positions = 100;
        audio_enc = dir + "/audio_enc";
        create_whisper_encoder(audio_enc, w, whisper_features_for(80, 2), 2);
    }
    static const DemoSetup& get() {
        static DemoSetup s;
        return s;
    }
    TrainConfig config(const std::string& stage, const std::string& out) const {
        TrainConfig c;
        c.adapter = AdapterConfig::preset("lora", ModelConfig{});
        c.multimodal.stage = stage;
        c.model = fixture("stories260K/hf");
        c.data = data;
        c.format = "llava";
        c.out = out;
        c.template_name = "alpaca";
        c.batch_size = 4;
        c.epochs = 1;
        c.lr = 1e-3;
        c.warmup_ratio = 0;
        c.multimodal.image_encoder = image_enc;
        c.multimodal.audio_encoder = audio_enc;
        c.multimodal.feature_layer = -1;
        c.multimodal.projector_tokens = 4;
        c.multimodal.projector_depth = 1;
        c.multimodal.feature_cache = "off";
        c.threads = 2;
        return c;
    }
};

}  // namespace

TEST(MultimodalTraining, StageOneMovesOnlyProjectorWeights) {
    const DemoSetup& s = DemoSetup::get();
    TrainConfig c = s.config("projector", make_temp_dir("stage1"));
    c.max_steps = 2;
    MultimodalRecipe r(c);
    r.setup(false);
    const auto llm = r.parameter_digests("llm"), enc = r.parameter_digests("encoder"),
               proj = r.parameter_digests("projector");
    ASSERT_FALSE(llm.empty());
    ASSERT_FALSE(enc.empty());
    ASSERT_FALSE(proj.empty());
    EXPECT_TRUE(r.parameter_digests("adapter").empty());
    const auto modalities = r.modalities();
    EXPECT_EQ(modalities, (std::vector<std::string>{"audio", "image", "video"}));
    const TrainResult res = r.train();
    EXPECT_EQ(res.status, TrainStatus::Finished);
    EXPECT_EQ(r.parameter_digests("llm"), llm);
    EXPECT_EQ(r.parameter_digests("encoder"), enc);
    // Every projector tensor the data reaches has moved (the projectors' every tensor takes part).
    const auto after = r.parameter_digests("projector");
    int moved = 0;
    for (const auto& [name, digest] : after) moved += digest != proj.at(name);
    EXPECT_GT(moved, static_cast<int>(after.size()) * 3 / 4) << moved << " of " << after.size();
    // The bundle names the untouched encoders and language model, and loads.
    const BundleManifest b = BundleManifest::load(res.bundle_dir);
    EXPECT_EQ(fs::weakly_canonical(b.resolve(b.image->encoder)), fs::weakly_canonical(s.image_enc));
    EXPECT_EQ(fs::weakly_canonical(b.resolve(b.language_model)),
              fs::weakly_canonical(fixture("stories260K/hf")));
    EXPECT_TRUE(b.adapter.empty());
}

TEST(MultimodalTraining, FeatureCacheServesEpochTwoAndLaterRuns) {
    const DemoSetup& s = DemoSetup::get();
    const std::string cache = make_temp_dir("featcache");
    TrainConfig c = s.config("projector", make_temp_dir("cache1"));
    c.multimodal.feature_cache = cache;
    c.epochs = 1;
    MultimodalRecipe one(c);
    one.setup(false);
    one.train();
    const int64_t misses = one.cache_misses();
    EXPECT_GT(misses, 0);
    // Two epochs from a fresh cache: the second epoch misses nothing.
    const std::string cache2 = make_temp_dir("featcache2");
    c.multimodal.feature_cache = cache2;
    c.out = make_temp_dir("cache2");
    c.epochs = 2;
    MultimodalRecipe two(c);
    two.setup(false);
    two.train();
    EXPECT_EQ(two.cache_misses(), misses);
    EXPECT_GE(two.cache_hits(), one.cache_hits() + misses);
    // A later run with the first cache decodes and encodes nothing.
    c.multimodal.feature_cache = cache;
    c.out = make_temp_dir("cache3");
    c.epochs = 1;
    MultimodalRecipe three(c);
    three.setup(false);
    three.train();
    EXPECT_EQ(three.cache_misses(), 0);
    EXPECT_GT(three.cache_hits(), 0);
}

TEST(MultimodalTraining, ResumeEqualsUninterrupted) {
    const DemoSetup& s = DemoSetup::get();
    TrainConfig c = s.config("projector+adapter", make_temp_dir("straight"));
    c.multimodal.train_encoders = true;
    c.multimodal.feature_cache = make_temp_dir("resume_cache");
    c.max_steps = 4;
    c.save_every = 100;
    Events straight_events;
    MultimodalRecipe straight(c, &straight_events);
    straight.setup(false);
    straight.train();

    c.out = make_temp_dir("stopped");
    Events first;
    std::atomic<bool> stop{false};
    {
        MultimodalRecipe r(c, &first);
        r.setup(true);
        const TrainResult res = r.train(&stop, [&](const TrainProgress& p) {
            if (p.step == 2) stop = true;
        });
        ASSERT_EQ(res.status, TrainStatus::Stopped);
        EXPECT_EQ(res.steps, 2);
    }
    Events second;
    MultimodalRecipe resumed(c, &second);
    resumed.setup(true);
    EXPECT_EQ(resumed.step(), 2);
    resumed.train();
    std::vector<double> joined = first.losses;
    joined.insert(joined.end(), second.losses.begin(), second.losses.end());
    ASSERT_EQ(joined.size(), straight_events.losses.size());
    for (size_t i = 0; i < joined.size(); ++i) EXPECT_DOUBLE_EQ(joined[i], straight_events.losses[i]) << i;
    for (const char* group : {"projector", "adapter", "encoder"})
        EXPECT_EQ(resumed.parameter_digests(group), straight.parameter_digests(group)) << group;
}

TEST(MultimodalTraining, BundleLoadsAndAnswersWithEveryModality) {
    const DemoSetup& s = DemoSetup::get();
    TrainConfig c = s.config("projector+adapter", make_temp_dir("bundle"));
    c.multimodal.train_encoders = true;
    c.max_steps = 2;
    MultimodalRecipe r(c);
    r.setup(false);
    const TrainResult res = r.train();
    auto model = MultimodalModel::load(res.bundle_dir);
    EXPECT_EQ(model->kind(), "bundle");
    EXPECT_EQ(model->default_adapter(), (fs::path(res.bundle_dir) / "adapter").string());
    ASSERT_NE(model->modality("video"), nullptr);
    EXPECT_EQ(model->modality("video")->projector, "qformer");
    ChatSession session(*model);
    const std::string media = fs::path(s.data).parent_path().string() + "/media/";
    for (const auto& [kind, file] : {std::pair<std::string, std::string>{"image", "img_0001.png"},
                                     {"audio", "aud_0001.wav"},
                                     {"video", "vid_0001.mp4"}}) {
        ChatRequest req;
        req.template_name = "alpaca";
        req.turns.push_back({"user", "<" + kind + ">\nWhat is it?", {{kind, media + file}}});
        req.generation.max_new_tokens = 3;
        req.generation.sampling.temperature = 0;
        const ChatResult out = session.generate(req);
        EXPECT_EQ(out.media_items, kind == "video" ? 2 : 1) << kind;  // a video: frames, then its audio track
        EXPECT_GT(out.media_tokens, 0) << kind;
    }
    // Trained encoders travel inside the bundle.
    EXPECT_TRUE(fs::is_regular_file(fs::path(res.bundle_dir) / "image_encoder" / "model.safetensors"));
    EXPECT_TRUE(fs::is_regular_file(fs::path(res.bundle_dir) / "audio_encoder" / "model.safetensors"));
}

TEST(MultimodalTraining, RowsNoEncoderReadsAreSkippedOrRefused) {
    const DemoSetup& s = DemoSetup::get();
    TrainConfig c = s.config("projector", make_temp_dir("noaudio"));
    c.multimodal.audio_encoder.clear();
    c.max_steps = 1;
    Events ev;
    MultimodalRecipe r(c, &ev);
    r.setup(false);
    int skipped = 0;
    for (const auto& i : ev.infos) skipped += i.find("no encoder for audio") != std::string::npos;
    EXPECT_GT(skipped, 0);
    EXPECT_EQ(r.modalities(), (std::vector<std::string>{"image", "video"}));
    c.skip_bad_rows = false;
    MultimodalRecipe strict(c);
    EXPECT_THROW(strict.setup(false), Error);
}

TEST(MultimodalTraining, BrokenMediaIsReportedNotFatal) {
    const DemoSetup& s = DemoSetup::get();
    const std::string dir = make_temp_dir("broken");
    fs::create_directories(dir + "/media");
    fs::copy_file(fs::path(s.data).parent_path() / "media" / "img_0001.png", dir + "/media/good.png");
    atelier::test::write_file(dir + "/media/bad.png", "not an image at all");
    atelier::test::write_file(dir + "/train.json", R"([
      {"image": "media/good.png", "conversations": [{"from": "human", "value": "<image>\nColour?"}, {"from": "gpt", "value": "red"}]},
      {"image": "media/bad.png", "conversations": [{"from": "human", "value": "<image>\nColour?"}, {"from": "gpt", "value": "blue"}]}
    ])");
    TrainConfig c = s.config("projector", make_temp_dir("broken_out"));
    c.data = dir + "/train.json";
    c.multimodal.audio_encoder.clear();
    c.max_steps = 1;
    c.batch_size = 2;
    Events ev;
    MultimodalRecipe r(c, &ev);
    r.setup(false);
    EXPECT_EQ(r.train_examples(), 1);
    bool named = false;
    for (const auto& i : ev.infos) named |= i.find("bad.png") != std::string::npos;
    EXPECT_TRUE(named);
    EXPECT_EQ(r.train().status, TrainStatus::Finished);
}

TEST(MultimodalTraining, ConfigRoundTripsAndIsValidated) {
    TrainConfig c = TrainConfig::multimodal_preset("projector", "lora", ModelConfig{});
    EXPECT_DOUBLE_EQ(c.lr, 1e-3);
    c.model = "m";
    c.data = "d";
    c.out = "o";
    c.multimodal.image_encoder = "clip";
    c.multimodal.train_encoders = true;
    c.multimodal.video_temporal = "perceiver";
    const TrainConfig back = TrainConfig::from_json(c.to_json(), "test");
    EXPECT_EQ(back.multimodal.stage, "projector");
    EXPECT_EQ(back.multimodal.image_encoder, "clip");
    EXPECT_TRUE(back.multimodal.train_encoders);
    EXPECT_EQ(back.multimodal.video_temporal, "perceiver");
    TrainConfig bad = c;
    bad.multimodal.stage = "stage3";
    EXPECT_EQ(test::error_code_of([&] { bad.validate(); }), ErrorCode::BadConfig);
    bad = c;
    bad.multimodal.image_projector = "qformer";
    EXPECT_EQ(test::error_code_of([&] { bad.validate(); }), ErrorCode::BadConfig);
    const TrainConfig bind = TrainConfig::multimodal_preset("bind", "llama-adapter", ModelConfig{});
    EXPECT_EQ(bind.multimodal.image_projector, "bind");
    EXPECT_TRUE(bind.multimodal.video_temporal.empty());
}

TEST(MultimodalTraining, BindStageTrainsGatesFromZero) {
    const DemoSetup& s = DemoSetup::get();
    TrainConfig c = TrainConfig::multimodal_preset("bind", "lora", ModelConfig{});
    const TrainConfig base = s.config("bind", make_temp_dir("bind"));
    c.model = base.model;
    c.data = base.data;
    c.out = base.out;
    c.template_name = "alpaca";
    c.batch_size = 4;
    c.max_steps = 2;
    c.warmup_ratio = 0;
    c.multimodal.image_encoder = s.image_enc;
    c.multimodal.audio_encoder = s.audio_enc;
    c.multimodal.feature_layer = -1;
    c.multimodal.projector_depth = 1;
    c.multimodal.feature_cache = "off";
    MultimodalRecipe r(c);
    r.setup(false);
    const auto before = r.parameter_digests("projector");
    const TrainResult res = r.train();
    const auto after = r.parameter_digests("projector");
    EXPECT_NE(after.at("image_projector.gates"), before.at("image_projector.gates"));
    auto model = MultimodalModel::load(res.bundle_dir);
    EXPECT_EQ(model->modality("image")->fusion, "gated");
}

// Data-parallel multimodal training (stage 2 with the encoders trained too) as users run it:
// atelier-train with two processes follows the one-process curve of the same batch.
TEST(MultimodalTraining, TwoProcessesFollowTheOneProcessCurve) {
    if (!distributed_available()) GTEST_SKIP() << "built without c10d/Gloo";
    const DemoSetup& s = DemoSetup::get();
    const std::string dir = make_temp_dir("mm-dp"), store = dir + "/runs.db", log = dir + "/log.txt";
    std::vector<std::vector<double>> curves;
    for (const int n : {1, 2}) {
        TrainConfig c = s.config("projector+adapter", dir + "/run" + std::to_string(n));
        c.multimodal.train_encoders = true;
        c.batch_size = 3;  // with two processes: one row and two
        c.epochs = 2;
        c.max_steps = 5;
        c.save_every = 100;
        c.threads = 1;
        const std::string config = dir + "/run" + std::to_string(n) + ".json";
        atelier::test::write_file(config, c.to_json());
        ASSERT_EQ(wait_exit(spawn(
                      {trainer(), "--config", config, "--store", store, "--nproc", std::to_string(n)}, log)),
                  0)
            << atelier::test::read_file(log);
        std::vector<double> losses;
        for (const MetricPoint& p : RunStore(store).metrics(n, "loss")) losses.push_back(p.value);
        curves.push_back(losses);
    }
    ASSERT_EQ(curves[0].size(), 5u);
    ASSERT_EQ(curves[1].size(), curves[0].size());
    for (size_t i = 0; i < curves[0].size(); ++i)
        EXPECT_NEAR(curves[1][i], curves[0][i], 1e-4 * std::abs(curves[0][i])) << "step " << i + 1;
    EXPECT_EQ(RunStore(store).run(2).world_size, 2);
    EXPECT_TRUE(fs::exists(dir + "/run2/bundle")) << "rank 0 wrote the bundle";
}

// The multimodal engine on the fixtures: CLIP and Whisper encoders against float64 references,
// LLaVA-1.5 (tiny) greedy ids with an image, both LLaVA key spellings, bundles (validation, every
// projector, every modality), the gated path's zero-init, KV-cache reuse with media, the encode
// cache, and media the model cannot read.
#include "common/error.h"
#include "encoders/encoder_modules.h"
#include "io/safetensors.h"
#include "model/llama.h"
#include "model/torch_util.h"
#include "multimodal/bundle.h"
#include "multimodal/multimodal_model.h"
#include "projectors/projector_modules.h"
#include "session/chat_session.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

using namespace atelier;
using atelier::test::error_code_of;
using atelier::test::fixture;
using atelier::test::make_temp_dir;
namespace fs = std::filesystem;

namespace {

const NamedArray& array(const std::vector<NamedArray>& arrays, const std::string& name) {
    for (const auto& a : arrays)
        if (a.name == name) return a;
    throw std::runtime_error("no array " + name);
}

// max |a - ref| / max |ref|, with shapes checked.
double relative_error(const NamedArray& a, const TensorData& ref) {
    EXPECT_EQ(a.shape, ref.shape) << a.name;
    const float* r = static_cast<const float*>(ref.data);
    double worst = 0, scale = 1e-12;
    const size_t n = std::min<size_t>(a.data.size(), static_cast<size_t>(ref.numel()));
    for (size_t i = 0; i < n; ++i) {
        worst = std::max(worst, std::abs(double(a.data[i]) - r[i]));
        scale = std::max(scale, std::abs(double(r[i])));
    }
    return worst / scale;
}

// The fixture's greedy ids, compared up to the first near-tie (top-2 margin < 0.01).
void expect_greedy_matches(const std::vector<int>& got, const nlohmann::json& ref) {
    const auto ids = ref["greedy_ids"].get<std::vector<int>>();
    const auto margins = ref["top2_margins"].get<std::vector<double>>();
    size_t compared = 0;
    for (size_t i = 0; i < ids.size() && i < got.size(); ++i) {
        ASSERT_EQ(got[i], ids[i]) << "step " << i << " (" << ref["image"] << ")";
        ++compared;
        if (margins[i] < 0.01) break;
    }
    EXPECT_GE(compared, 5u);
}

std::vector<nlohmann::json> llava_references() {
    std::ifstream f(fixture("multimodal/reference/llava-tiny.greedy.jsonl"));
    std::vector<nlohmann::json> out;
    std::string line;
    while (std::getline(f, line))
        if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    return out;
}

GenerationOptions greedy(int n) {
    GenerationOptions o;
    o.sampling.temperature = 0;
    o.max_new_tokens = n;
    o.stop_at_eos = false;
    return o;
}

ChatRequest raw_request(const std::string& prompt, std::vector<Attachment> media, int n = 40) {
    ChatRequest r;
    r.template_name = "none";
    r.generation = greedy(n);
    r.turns.push_back({"user", prompt, std::move(media)});
    return r;
}

void write_text(const fs::path& p, const std::string& s) {
    std::ofstream f(p, std::ios::binary);
    f << s;
}

// A bundle over the fixtures: stories260K + CLIP-tiny (mlp2x_gelu or bind) + Whisper-tiny
// (audio_stack) + video through a Q-Former. Projectors are freshly initialised (seeded).
std::string make_bundle(const std::string& tag, const std::string& image_projector = "mlp2x_gelu",
                        bool with_audio = true, bool with_video = true, bool stamped_frames = false,
                        const std::string& temporal = "qformer") {
    const std::string dir = make_temp_dir(tag);
    const int64_t D = 64;  // stories260K hidden size
    BundleManifest b;
    b.language_model = fs::absolute(fixture("stories260K/hf")).string();
    b.fusion = image_projector == "bind" ? "gated" : "tokens";
    BundleBranch img;
    img.encoder = fs::absolute(fixture("multimodal/clip-vit-tiny")).string();
    img.feature_layer = -2;
    img.feature_select = "default";
    img.projector = "image_projector";
    b.image = img;
    ProjectorConfig pc;
    pc.type = image_projector;
    pc.in_features = 48;
    pc.out_features = D;
    pc.num_layers = 5;
    pc.num_heads = 8;
    Projector ip(pc);
    ip->init_weights(1);
    save_projector(*ip, dir, "image_projector");
    if (with_audio) {
        BundleBranch au;
        au.encoder = fs::absolute(fixture("multimodal/whisper-tiny-random")).string();
        au.projector = "audio_projector";
        b.audio = au;
        ProjectorConfig ac;
        ac.type = "audio_stack";
        ac.in_features = 64;
        ac.out_features = D;
        ac.stack = 8;
        Projector ap(ac);
        ap->init_weights(2);
        save_projector(*ap, dir, "audio_projector");
    }
    if (with_video && stamped_frames) {
        b.video = true;
        b.video_frames = 3;
        b.video_timestamps = true;
    } else if (with_video) {
        b.video = true;
        b.video_frames = 4;
        b.video_temporal = "video_projector";
        ProjectorConfig vc;
        vc.type = temporal;
        vc.in_features = 48;
        vc.out_features = D;
        vc.num_latents = 6;
        vc.heads = 4;
        vc.depth = 1;
        vc.max_frames = 8;
        Projector vp(vc);
        vp->init_weights(3);
        save_projector(*vp, dir, "video_projector");
    }
    b.save(dir);
    return dir;
}

}  // namespace

TEST(Encoders, ClipVisionMatchesTheFloat64Reference) {
    auto clip = MultimodalModel::load(fixture("multimodal/clip-vit-tiny"));
    EXPECT_EQ(clip->kind(), "encoder");
    EXPECT_FALSE(clip->has_llm());
    for (const char* image : {"astronaut", "chelsea"}) {
        auto ref = SafetensorsFile::open(
            fixture(std::string("multimodal/reference/clip-vit-tiny.") + image + ".safetensors"));
        auto out = clip->encode_details("image", fixture(std::string("media/") + image + ".png"));
        const auto& r = ref->tensors();
        EXPECT_LE(relative_error(array(out, "pixel_values"), r.at("pixel_values")), 1e-5) << image;
        EXPECT_LE(relative_error(array(out, "hidden_states"), r.at("hidden_states")), 1e-4) << image;
        EXPECT_LE(relative_error(array(out, "last_hidden_state"), r.at("last_hidden_state")), 1e-4) << image;
        EXPECT_LE(relative_error(array(out, "pooler_output"), r.at("pooler_output")), 1e-4) << image;
    }
}

TEST(Encoders, WhisperMatchesTheFloat64Reference) {
    auto whisper = MultimodalModel::load(fixture("multimodal/whisper-tiny-random"));
    auto ref = SafetensorsFile::open(fixture("multimodal/reference/whisper-tiny-random.jfk.safetensors"));
    auto out = whisper->encode_details("audio", fixture("media/jfk.wav"));
    EXPECT_LE(relative_error(array(out, "input_features"), ref->tensors().at("input_features")), 1e-5);
    EXPECT_LE(relative_error(array(out, "last_hidden_state"), ref->tensors().at("last_hidden_state")), 1e-4);
}

// A Whisper encoder in bf16 (inference: the convolutions as row GEMMs with GELU in their epilogue,
// one-pass LayerNorms, and on AMX CPUs the fused attention) follows its own float32 forward to
// bf16's precision over two layers of 64-wide heads.
TEST(Encoders, Bf16WhisperFollowsItsFloat32Forward) {
    c10::InferenceMode guard;
    torch::manual_seed(3);
    WhisperEncoderConfig c;
    c.d_model = 128;
    c.encoder_layers = 2;
    c.encoder_attention_heads = 2;
    c.encoder_ffn_dim = 256;
    WhisperEncoder enc(c);
    enc->eval();
    const auto mel = torch::randn({1, c.num_mel_bins, 2 * c.max_source_positions});
    const auto want = enc->forward(mel);
    enc->to(torch::kBFloat16);
    const auto got = enc->forward(mel).to(torch::kFloat32);
    ASSERT_EQ(got.sizes(), want.sizes());
    const double err = ((got - want).norm() / want.norm()).item<double>();
    EXPECT_LT(err, 0.01) << "bf16 against float32, relative (measured 0.0046)";
}

// The encoders' bf16 linears pad their rows to the count oneDNN's GEMM runs fastest: the same
// product as LibTorch's linear — same rows, shape and layout, no padding row let through — and as
// close to the float32 product as LibTorch's own bf16 linear is.
TEST(Encoders, PaddedRowsLinearEqualsLibTorchs) {
    c10::InferenceMode guard;
    torch::manual_seed(5);
    const auto w = torch::randn({96, 64}).to(torch::kBFloat16), b = torch::randn({96}).to(torch::kBFloat16);
    for (int64_t rows : {577, 578, 579, 580, 3, 577}) {  // 577 again: the remembered choice
        const auto x = torch::randn({1, rows, 64}).to(torch::kBFloat16);
        const auto got = linear_rows_padded(x, w, b), plain = torch::linear(x, w, b);
        ASSERT_EQ(got.sizes(), plain.sizes()) << rows;
        EXPECT_TRUE(got.is_contiguous()) << rows;
        const auto exact = torch::linear(x.to(torch::kFloat32), w.to(torch::kFloat32), b.to(torch::kFloat32));
        const double err = (got.to(torch::kFloat32) - exact).abs().max().item<double>();
        const double lib = (plain.to(torch::kFloat32) - exact).abs().max().item<double>();
        EXPECT_LE(err, 1.25 * lib + 1e-3) << rows;
        // bf16 rounding (half an ulp: 2^-9 of the value), not a wrong row
        EXPECT_LT(err, 0.004 * exact.abs().max().item<double>()) << rows;
        if (rows < 16) EXPECT_TRUE(torch::equal(got, plain)) << rows;
    }
}

TEST(Encoders, CancelledBetweenLayers) {
    auto clip = MultimodalModel::load(fixture("multimodal/clip-vit-tiny"));
    std::atomic<bool> cancel{true};
    EncodeOptions o;
    o.cancel = &cancel;
    EXPECT_EQ(error_code_of([&] { clip->encode("image", fixture("media/astronaut.png"), o); }),
              ErrorCode::Cancelled);
    cancel = false;
    EXPECT_EQ(clip->encode("image", fixture("media/astronaut.png"), o).at(0)->tokens,
              17);  // full: class + 16
}

TEST(Llava, GreedyIdsWithAnImageMatchTheReference) {
    auto llava = MultimodalModel::load(fixture("multimodal/llava-tiny"));
    ASSERT_EQ(llava->kind(), "llava");
    EXPECT_EQ(llava->image_token_id(), 512);
    EXPECT_EQ(llava->tokenizer().piece_to_id("<image>").value_or(-1), 512);
    ASSERT_NE(llava->modality("image"), nullptr);
    EXPECT_EQ(llava->modality("image")->tokens_per_item, 16);
    ChatSession session(*llava);
    for (const auto& ref : llava_references()) {
        const std::string image = fixture("media/" + ref["image"].get<std::string>());
        EXPECT_EQ(llava->token_cost("image", image), ref["image_tokens"].get<int64_t>());
        auto r = session.generate(raw_request(ref["prompt"], {{"image", image}}));
        EXPECT_EQ(r.media_tokens, 16);
        EXPECT_EQ(r.prompt_tokens, 1 + 16 + static_cast<int>(ref["prompt_ids"].size()));
        expect_greedy_matches(r.tokens, ref);
    }
}

TEST(Llava, MarkerAtTheStartEqualsMediaFirst) {
    auto llava = MultimodalModel::load(fixture("multimodal/llava-tiny"));
    ChatSession session(*llava);
    const auto ref = llava_references().at(0);
    const std::string image = fixture("media/" + ref["image"].get<std::string>());
    auto r = session.generate(raw_request("<image>" + ref["prompt"].get<std::string>(), {{"image", image}}));
    expect_greedy_matches(r.tokens, ref);
    // A marker in the middle puts the image there: text, media, text.
    int dropped = 0;
    Prompt p = session.build_prompt(raw_request("Once upon <image> a time", {{"image", image}}), &dropped);
    ASSERT_EQ(p.size(), 3u);
    EXPECT_FALSE(p[0].is_media());
    EXPECT_TRUE(p[1].is_media());
    EXPECT_FALSE(p[2].is_media());
    EXPECT_EQ(p[0].tokens.front(), llava->tokenizer().bos_id());
}

TEST(Llava, NewKeySpellingLoadsTheSame) {
    // transformers >= 4.52 saves model.language_model.*, model.vision_tower.*,
    // model.multi_modal_projector.* and a top-level lm_head.
    const std::string dir = make_temp_dir("llava-new-keys");
    for (const char* f : {"config.json", "tokenizer.model", "tokenizer_config.json", "added_tokens.json",
                          "preprocessor_config.json", "generation_config.json"})
        fs::copy_file(fixture(std::string("multimodal/llava-tiny/") + f), fs::path(dir) / f);
    auto src = SafetensorsFile::open(fixture("multimodal/llava-tiny/model.safetensors"));
    TensorMap renamed;
    for (const auto& [k, t] : src->tensors()) {
        std::string n = k;
        if (n.rfind("language_model.model.", 0) == 0)
            n = "model.language_model." + n.substr(21);
        else if (n == "language_model.lm_head.weight")
            n = "lm_head.weight";
        else
            n = "model." + n;
        renamed[n] = t;
    }
    write_safetensors((fs::path(dir) / "model.safetensors").string(), renamed);
    auto llava = MultimodalModel::load(dir);
    ChatSession session(*llava);
    const auto ref = llava_references().at(1);
    auto r = session.generate(
        raw_request(ref["prompt"], {{"image", fixture("media/" + ref["image"].get<std::string>())}}));
    expect_greedy_matches(r.tokens, ref);
}

TEST(Llava, NextTurnAboutTheSameImageReusesTheCacheAndTheEncoding) {
    auto llava = MultimodalModel::load(fixture("multimodal/llava-tiny"));
    ChatSession session(*llava);
    const std::string image = fixture("media/astronaut.png");
    ChatRequest req = raw_request("Once upon a time", {{"image", image}}, 8);
    auto first = session.generate(req);
    EXPECT_EQ(llava->cache_stats().misses, 1);
    req.turns[0].content += first.text;
    req.turns[0].content += " The end.";
    auto second = session.generate(req);
    EXPECT_EQ(llava->cache_stats().hits, 1);                        // the image was not encoded again
    EXPECT_LT(second.prefilled_tokens, second.prompt_tokens - 16);  // BOS + image + old text were cached
    // ... and the reply equals what a fresh session computes from scratch.
    auto fresh_model = MultimodalModel::load(fixture("multimodal/llava-tiny"));
    ChatSession fresh(*fresh_model);
    auto again = fresh.generate(req);
    EXPECT_EQ(again.prefilled_tokens, again.prompt_tokens);
    EXPECT_EQ(again.tokens, second.tokens);
}

TEST(Llava, ChatsInVicunasFormatAndNeverSamplesPaddingRows) {
    auto llava = MultimodalModel::load(fixture("multimodal/llava-tiny"));
    ChatSession session(*llava);
    EXPECT_EQ(session.resolve_template(""), "vicuna");  // LLaVA-1.5's conversation format
    // The output layer has 520 rows, the tokenizer 514 ids: hot sampling must stay inside.
    ChatRequest req = raw_request("Once upon a time", {{"image", fixture("media/chelsea.png")}}, 60);
    req.generation.sampling.temperature = 3.0f;
    req.generation.sampling.top_k = 0;
    req.generation.sampling.top_p = 1.0f;
    req.generation.sampling.min_p = 0.0f;
    req.generation.sampling.seed = 11;
    auto r = session.generate(req);
    EXPECT_EQ(r.tokens.size(), 60u);
    for (int id : r.tokens) EXPECT_LT(id, llava->tokenizer().vocab_size());
}

TEST(Llava, VideoFramesGoThroughTheImageBranch) {
    auto llava = MultimodalModel::load(fixture("multimodal/llava-tiny"));
    ASSERT_NE(llava->modality("video"), nullptr);
    const std::string video = fixture("media/astronaut_jfk.mp4");
    EXPECT_EQ(llava->token_cost("video", video, 4), 4 * 16);  // no audio branch: frames only
    ChatSession session(*llava);
    ChatRequest req = raw_request("Once upon a time", {{"video", video}}, 4);
    req.video_frames = 4;
    auto r = session.generate(req);
    EXPECT_EQ(r.media_tokens, 64);
    EXPECT_EQ(r.tokens.size(), 4u);
}

TEST(Modalities, MediaTheModelCannotReadAreRefusedNotIgnored) {
    auto text_only = MultimodalModel::load(fixture("stories260K/hf"));
    EXPECT_EQ(text_only->kind(), "llm");
    EXPECT_TRUE(text_only->modalities().empty());
    ChatSession s1(*text_only);
    EXPECT_EQ(error_code_of([&] {
                  s1.generate(raw_request("Hi", {{"image", fixture("media/astronaut.png")}}));
              }),
              ErrorCode::MissingModality);
    auto llava = MultimodalModel::load(fixture("multimodal/llava-tiny"));
    ChatSession s2(*llava);
    try {
        s2.generate(raw_request("Hi", {{"audio", fixture("media/jfk.wav")}}));
        ADD_FAILURE() << "audio was accepted by a model without an audio encoder";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::MissingModality);
        EXPECT_NE(std::string(e.what()).find("audio encoder"), std::string::npos) << e.what();
    }
    // A broken file is reported as such, naming it.
    const std::string bad = make_temp_dir("bad-media") + "/broken.png";
    write_text(bad, "not an image at all");
    try {
        s2.generate(raw_request("Hi", {{"image", bad}}));
        ADD_FAILURE() << "a broken image was accepted";
    } catch (const Error& e) {
        EXPECT_NE(e.where().find("broken.png"), std::string::npos);
    }
}

TEST(Bundle, LoadsEveryModalityAndCostsAreKnownBeforeEncoding) {
    const std::string dir = make_bundle("bundle-all");
    auto mm = MultimodalModel::load(dir);
    EXPECT_EQ(mm->kind(), "bundle");
    ASSERT_NE(mm->modality("image"), nullptr);
    ASSERT_NE(mm->modality("audio"), nullptr);
    ASSERT_NE(mm->modality("video"), nullptr);
    EXPECT_EQ(mm->modality("image")->tokens_per_item, 16);
    EXPECT_DOUBLE_EQ(mm->modality("audio")->tokens_per_second, 50.0 / 8);
    EXPECT_EQ(mm->modality("video")->tokens_per_item, 6);  // the Q-Former's queries
    ChatSession session(*mm);
    for (const auto& [kind, file] :
         std::vector<std::pair<std::string, std::string>>{{"image", fixture("media/chelsea.png")},
                                                          {"audio", fixture("media/jfk.wav")},
                                                          {"audio", fixture("media/jfk.mp3")},
                                                          {"video", fixture("media/astronaut_jfk.mp4")},
                                                          {"video", fixture("media/astronaut_jfk.webm")}}) {
        const int64_t cost = mm->token_cost(kind, file);
        auto r = session.generate(raw_request("Once upon a time", {{kind, file}}, 3));
        EXPECT_EQ(r.media_tokens, cost) << kind << " " << file;
        EXPECT_EQ(r.tokens.size(), 3u);
    }
    // jfk.wav: 11 s -> ceil(11 * 50) = 550 encoder positions -> 69 tokens of 8 frames.
    EXPECT_EQ(mm->token_cost("audio", fixture("media/jfk.wav")), 69);
    // A video: the Q-Former's 6 tokens + its audio track (11 s).
    EXPECT_EQ(mm->token_cost("video", fixture("media/astronaut_jfk.mp4")), 6 + 69);
}

TEST(Bundle, VideoFramesCarryTheirTimesAsText) {
    const std::string dir = make_bundle("bundle-stamped", "mlp2x_gelu", false, true, true);
    auto mm = MultimodalModel::load(dir);
    ChatSession session(*mm);
    const std::string video = fixture("media/astronaut_jfk.mp4");  // 11 s: frames at 1.8, 5.5, 9.2 s
    const ChatRequest req = raw_request("Once upon a time", {{"video", video}}, 2);
    int dropped = 0;
    Prompt p = session.build_prompt(req, &dropped);
    // BOS, then [time] text + 16 frame tokens three times, then the prompt.
    ASSERT_EQ(p.size(), 1u + 3 * 2 + 1);
    std::vector<std::string> labels;
    for (size_t i = 1; i < 7; i += 2) {
        ASSERT_FALSE(p[i].is_media());
        ASSERT_TRUE(p[i + 1].is_media());
        EXPECT_EQ(p[i + 1].media->tokens, 16);
        labels.push_back(mm->tokenizer().decode(p[i].tokens));
    }
    EXPECT_EQ(labels, (std::vector<std::string>{"[1.8 s]", "[5.5 s]", "[9.2 s]"}));
    // The cost known before encoding counts the labels too.
    EXPECT_EQ(session.prompt_positions(req), prompt_positions(p));
    auto r = session.generate(req);
    EXPECT_EQ(r.media_tokens, 48);
    EXPECT_EQ(mm->cache_stats().hits, 3);  // build_prompt encoded the frames already
}

TEST(Bundle, PerceiverVideoModuleAndFrameLimits) {
    const std::string video = fixture("media/astronaut_jfk.mp4");
    auto perceiver =
        MultimodalModel::load(make_bundle("bundle-perceiver", "mlp2x_gelu", false, true, false, "perceiver"));
    EXPECT_EQ(perceiver->token_cost("video", video), 6);  // its latents, whatever the frame count
    ChatSession s1(*perceiver);
    auto r = s1.generate(raw_request("Once upon a time", {{"video", video}}, 2));
    EXPECT_EQ(r.media_tokens, 6);
    // More frames than the Q-Former has frame positions: a clear error, before decoding anything.
    auto qformer = MultimodalModel::load(make_bundle("bundle-qformer-limit", "mlp2x_gelu", false, true));
    ChatSession s2(*qformer);
    ChatRequest req = raw_request("Once upon a time", {{"video", video}}, 2);
    req.video_frames = 9;  // max_frames is 8
    EXPECT_EQ(error_code_of([&] { s2.generate(req); }), ErrorCode::InvalidArgument);
    req.video_frames = 8;
    EXPECT_EQ(s2.generate(req).media_tokens, 6);
}

TEST(Bundle, InvalidBundlesSayWhatIsWrong) {
    const std::string dir = make_bundle("bundle-bad", "mlp2x_gelu", false, false);
    const std::string manifest = (fs::path(dir) / BundleManifest::kFileName).string();
    const std::string good = atelier::test::read_file(manifest);
    auto with = [&](const std::string& from, const std::string& to) {
        std::string s = good;
        const size_t at = s.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        s.replace(at, from.size(), to);
        write_text(manifest, s);
    };
    with("clip-vit-tiny", "clip-vit-missing");
    EXPECT_EQ(error_code_of([&] { MultimodalModel::load(dir); }), ErrorCode::FileNotFound);
    with("\"image_projector\"", "\"no_projector\"");
    EXPECT_EQ(error_code_of([&] { MultimodalModel::load(dir); }), ErrorCode::FileNotFound);
    with("\"tokens\"", "\"glued\"");
    EXPECT_EQ(error_code_of([&] { MultimodalModel::load(dir); }), ErrorCode::BadConfig);
    write_text(manifest, good);
    // A projector whose width does not match its encoder.
    const std::string pj = (fs::path(dir) / "image_projector.json").string();
    const std::string proj = atelier::test::read_file(pj);
    std::string wide = proj;
    wide.replace(wide.find("\"in_features\": 48"), 17, "\"in_features\": 96");
    write_text(pj, wide);
    try {
        MultimodalModel::load(dir);
        ADD_FAILURE() << "a width mismatch was accepted";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::ShapeMismatch);
        EXPECT_NE(std::string(e.what()).find("width mismatch"), std::string::npos) << e.what();
    }
    std::string unknown = proj;
    unknown.replace(unknown.find("mlp2x_gelu"), 10, "mlp9x_magic");
    write_text(pj, unknown);
    EXPECT_EQ(error_code_of([&] { MultimodalModel::load(dir); }), ErrorCode::BadConfig);
    write_text(pj, proj);
    EXPECT_NO_THROW(MultimodalModel::load(dir));
}

TEST(Bundle, GatedBindNetworkStartsAsTheTextOnlyModel) {
    const std::string dir = make_bundle("bundle-bind", "bind", false, false);
    auto mm = MultimodalModel::load(dir);
    ASSERT_NE(mm->modality("image"), nullptr);
    EXPECT_EQ(mm->modality("image")->fusion, "gated");
    EXPECT_EQ(mm->token_cost("image", fixture("media/astronaut.png")), 0);
    ChatSession session(*mm);
    auto with_image =
        session.generate(raw_request("Once upon a time", {{"image", fixture("media/astronaut.png")}}, 1));
    auto embed = mm->encode("image", fixture("media/astronaut.png")).at(0);
    ASSERT_TRUE(embed->gated);
    EXPECT_EQ(embed->dim, 64);
    // Zero gates: the logits equal the text-only model's, exactly.
    LlamaModel& llm = mm->llm();
    const std::vector<int> ids = mm->tokenizer().encode("Once upon a time", true);
    llm.set_gated_input(embed->data, embed->gates);
    llm.reset();
    const auto gated = llm.decode(ids);
    llm.set_gated_input({}, {});
    const auto plain = llm.decode(ids);
    EXPECT_EQ(gated, plain);
    EXPECT_EQ(with_image.prompt_tokens, static_cast<int>(ids.size()));
    // Open gates: the image now changes every layer's output.
    std::vector<float> open(embed->gates.size(), 0.5f);
    llm.set_gated_input(embed->data, open);
    const auto opened = llm.decode(ids);
    double diff = 0;
    for (size_t i = 0; i < plain.size(); ++i) diff = std::max(diff, double(std::abs(opened[i] - plain[i])));
    EXPECT_GT(diff, 1e-3);
}

TEST(Projectors, ShapesFollowTheirConfigs) {
    torch::NoGradGuard no_grad;
    auto make = [](const std::string& type) {
        ProjectorConfig c;
        c.type = type;
        c.in_features = 32;
        c.out_features = 24;
        c.num_latents = 5;
        c.heads = 4;
        c.depth = 2;
        c.stack = 4;
        c.max_frames = 8;
        c.num_layers = 3;
        c.num_heads = 4;
        c.validate("test");
        Projector p(c);
        p->init_weights(7);
        return p;
    };
    for (int64_t n : {1, 10, 17}) {
        auto x = torch::randn({2, n, 32});
        EXPECT_EQ(make("linear")->forward(x).sizes().vec(), (std::vector<int64_t>{2, n, 24}));
        EXPECT_EQ(make("mlp2x_gelu")->forward(x).sizes().vec(), (std::vector<int64_t>{2, n, 24}));
        auto stacked = make("audio_stack");
        EXPECT_EQ(stacked->forward(x).sizes().vec(), (std::vector<int64_t>{2, (n + 3) / 4, 24}));
        EXPECT_EQ(stacked->config.output_tokens(n), (n + 3) / 4);
        // The Perceiver Resampler gives a fixed token count whatever the input length.
        EXPECT_EQ(make("perceiver")->forward(x).sizes().vec(), (std::vector<int64_t>{2, 5, 24}));
        // The video Q-Former reads [B, frames, tokens, D] and gives its queries.
        EXPECT_EQ(make("qformer")->forward(torch::randn({2, 3, n, 32})).sizes().vec(),
                  (std::vector<int64_t>{2, 5, 24}));
        // The spectrum projector gives one token per image, whatever the token count.
        EXPECT_EQ(make("spectrum")->forward(x).sizes().vec(), (std::vector<int64_t>{2, 1, 24}));
        // So does the space-time DCT module (square grids, a class token in front, any other count).
        EXPECT_EQ(make("dct")->forward(torch::randn({2, 3, n, 32})).sizes().vec(),
                  (std::vector<int64_t>{2, 5, 24}));
    }
    auto bind = make("bind");
    EXPECT_EQ(bind->forward(torch::randn({2, 32})).sizes().vec(), (std::vector<int64_t>{2, 24}));
    EXPECT_EQ(bind->gates.sizes().vec(), (std::vector<int64_t>{3}));
    EXPECT_EQ(bind->gates.abs().sum().item<float>(), 0.f);  // zero-initialised
    // The Q-Former's frame-position embeddings make frame order matter.
    auto q = make("qformer");
    auto frames = torch::randn({1, 3, 4, 32});
    auto swapped = frames.index_select(1, torch::tensor({2, 1, 0}));
    EXPECT_GT((q->forward(frames) - q->forward(swapped)).abs().max().item<float>(), 1e-6);
    // Saved and loaded back: the same outputs.
    const std::string dir = make_temp_dir("projector-io");
    auto p = make("perceiver");
    save_projector(*p, dir, "p");
    auto back = load_projector(dir, "p", torch::kFloat32, torch::kCPU);
    auto x = torch::randn({1, 9, 32});
    EXPECT_TRUE(torch::equal(p->forward(x), back->forward(x)));
}

namespace {

// A grid-pooling projector (dct, spectrum) from 8 encoder channels to a 12-wide LLM.
Projector grid_projector(const std::string& type, int64_t grid, int64_t tokens, uint64_t seed) {
    ProjectorConfig c;
    c.type = type;
    c.in_features = 8;
    c.out_features = 12;
    c.num_latents = tokens;
    c.grid = grid;
    c.validate("test");
    Projector p(c);
    p->init_weights(seed);
    return p;
}

}  // namespace

TEST(Projectors, DctReadsTheMeanFrameAndHowEachCellChanges) {
    auto p = grid_projector("dct", 2, 4, 3);
    const ProjectorConfig& c = p->config;
    EXPECT_EQ(c.output_tokens(17), 4);
    EXPECT_EQ(p->linear_1->weight.size(1), 2 * 2 * 8);  // one flattened 2 x 2 map of 8 channels per frequency
    torch::NoGradGuard no_grad;
    // A still video: every frequency above 0 sees nothing, whatever the picture.
    auto still_a = torch::randn({1, 1, 16, 8}).expand({1, 6, 16, 8});
    auto still_b = torch::randn({1, 1, 16, 8}).expand({1, 6, 16, 8});
    auto ya = p->forward(still_a), yb = p->forward(still_b);
    EXPECT_GT((ya.select(1, 0) - yb.select(1, 0)).abs().max().item<float>(), 1e-4);
    EXPECT_LT((ya.narrow(1, 1, 3) - yb.narrow(1, 1, 3)).abs().max().item<float>(), 1e-6);
    // Frame order matters: the same frames reversed keep frequency 0 and change the trend.
    auto clip = torch::randn({1, 6, 16, 8});
    auto reversed = clip.flip({1});
    auto y = p->forward(clip), yr = p->forward(reversed);
    EXPECT_LT((y.select(1, 0) - yr.select(1, 0)).abs().max().item<float>(), 1e-5);
    EXPECT_GT((y.select(1, 1) - yr.select(1, 1)).abs().max().item<float>(), 1e-4);
    // A class token in front of a square patch grid is left out.
    auto with_cls = torch::cat({torch::randn({1, 6, 1, 8}), clip}, 2);
    EXPECT_LT((p->forward(with_cls) - y).abs().max().item<float>(), 1e-6);
    // Fewer frames than frequencies: the missing frequencies carry no picture.
    auto two = torch::randn({1, 2, 16, 8});
    auto two_b = torch::randn({1, 2, 16, 8});
    EXPECT_LT((p->forward(two).narrow(1, 2, 2) - p->forward(two_b).narrow(1, 2, 2)).abs().max().item<float>(),
              1e-6);
    // Saved and loaded back: the same outputs.
    const std::string dir = make_temp_dir("projector-dct");
    save_projector(*p, dir, "v");
    auto back = load_projector(dir, "v", torch::kFloat32, torch::kCPU);
    EXPECT_EQ(back->config.grid, 2);
    EXPECT_TRUE(torch::equal(p->forward(clip), back->forward(clip)));
}

TEST(Projectors, SpectrumSeesWhatIsInThePictureNotWhere) {
    auto p = grid_projector("spectrum", 4, 64, 5);
    const ProjectorConfig& c = p->config;
    EXPECT_EQ(c.output_tokens(17), 1);
    torch::NoGradGuard no_grad;
    // A 4 x 4 patch grid with something in one corner, and the same thing moved (circularly) across
    // the grid: one token, the same for both.
    auto maps = torch::randn({1, 4, 4, 8}) * 0.1;
    maps.index_put_({0, 0, 0}, torch::randn({8}) * 3);
    maps.index_put_({0, 0, 1}, torch::randn({8}) * 3);
    auto moved = torch::roll(maps, {2, 1}, {1, 2});
    auto y = p->forward(maps.reshape({1, 16, 8})), y_moved = p->forward(moved.reshape({1, 16, 8}));
    EXPECT_EQ(y.sizes().vec(), (std::vector<int64_t>{1, 1, 12}));
    EXPECT_LT((y - y_moved).abs().max().item<float>(), 1e-4);
    // Turned a quarter (the two patches now stand one above the other): another token.
    auto turned = maps.transpose(1, 2).contiguous();
    EXPECT_GT((y - p->forward(turned.reshape({1, 16, 8}))).abs().max().item<float>(), 1e-3);
    // A class token in front of the grid is left out.
    auto with_cls = torch::cat({torch::randn({1, 1, 8}), maps.reshape({1, 16, 8})}, 1);
    EXPECT_LT((p->forward(with_cls) - y).abs().max().item<float>(), 1e-6);
    // Saved and loaded back: the same outputs.
    const std::string dir = make_temp_dir("projector-spectrum");
    save_projector(*p, dir, "i");
    auto back = load_projector(dir, "i", torch::kFloat32, torch::kCPU);
    EXPECT_TRUE(torch::equal(y, back->forward(maps.reshape({1, 16, 8}))));
}

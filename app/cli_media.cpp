// atelier-cli media ... and atelier-cli encode ...: the media pipeline from a terminal.
//
//   atelier-cli media info FILE [--json]
//   atelier-cli media frames FILE --count N --out DIR [--json]
//   atelier-cli media audio FILE --out OUT.wav [--rate HZ]
//   atelier-cli media mel FILE --out OUT.safetensors [--mel-bins 80|128]
//   atelier-cli encode --model DIR (--image F | --audio F) --out OUT.safetensors [--json]
#include "cli_args.h"

#include "common/error.h"
#include "features/audio_features.h"
#include "io/safetensors.h"
#include "media/media.h"
#include "model/llama.h"
#include "multimodal/multimodal_model.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>

using nlohmann::json;
namespace fs = std::filesystem;

namespace cli {

namespace {

const std::set<std::string> kFlags = {"json", "help"};

atelier::TensorData f32_tensor(const std::vector<int64_t>& shape, const std::vector<float>& data) {
    return atelier::make_owned_tensor(atelier::DType::F32, shape, data.data(), data.size() * sizeof(float));
}

void print(const json& j) {
    std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

int media_info(const std::string& file, const Args& a) {
    a.check_known({"json", "help"});
    const atelier::MediaInfo i = atelier::probe_media(file);
    json j = {{"file", file},
              {"kind", atelier::media_kind_name(i.kind)},
              {"container", i.container},
              {"duration", i.duration},
              {"width", i.width},
              {"height", i.height},
              {"fps", i.fps},
              {"rotation", i.rotation},
              {"video_codec", i.video_codec},
              {"sample_rate", i.sample_rate},
              {"channels", i.channels},
              {"audio_codec", i.audio_codec},
              {"has_video", i.has_video},
              {"has_audio", i.has_audio}};
    if (a.has("json")) {
        print(j);
        return 0;
    }
    std::printf("file:      %s\nkind:      %s (%s)\n", file.c_str(), atelier::media_kind_name(i.kind),
                i.container.c_str());
    if (i.kind == atelier::MediaKind::Image)
        std::printf("image:     %s %dx%d\n", i.video_codec.c_str(), i.width, i.height);
    else
        std::printf("duration:  %.3f s\n", i.duration);
    if (i.has_video) {
        std::printf("video:     %s %dx%d", i.video_codec.c_str(), i.width, i.height);
        if (i.fps > 0) std::printf(", %.3f fps", i.fps);
        if (i.rotation) std::printf(", rotated %d degrees", i.rotation);
        std::printf("\n");
    }
    if (i.has_audio)
        std::printf("audio:     %s %d Hz, %d channels\n", i.audio_codec.c_str(), i.sample_rate, i.channels);
    return 0;
}

int media_frames(const std::string& file, const Args& a) {
    a.check_known({"count", "out", "json", "help"});
    const int count = static_cast<int>(a.integer("count", 8, 1, 1024));
    const std::string out = a.need("out");
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw atelier::Error(atelier::ErrorCode::Io, out, "cannot create the folder: " + ec.message());
    atelier::DecodeStats stats;
    const auto frames = atelier::sample_video_frames(file, count, {}, &stats);
    json list = json::array();
    for (const auto& f : frames) {
        char name[32];
        std::snprintf(name, sizeof name, "frame_%03d.png", f.index);
        const std::string path = (fs::path(out) / name).string();
        atelier::write_png(path, f.image);
        list.push_back({{"index", f.index}, {"time", f.time}, {"pts", f.pts}, {"file", path}});
        if (!a.has("json"))
            std::printf("%3d  t=%8.3f s  (frame at %.3f s)  %s\n", f.index, f.time, f.pts, path.c_str());
    }
    if (a.has("json"))
        print({{"frames", list},
               {"frames_decoded", stats.frames_decoded},
               {"packets_read", stats.packets_read},
               {"seeks", stats.seeks}});
    return 0;
}

int media_audio(const std::string& file, const Args& a) {
    a.check_known({"out", "rate", "json", "help"});
    const int rate = static_cast<int>(a.integer("rate", 16000, 1000, 384000));
    const atelier::Audio pcm = atelier::decode_audio(file, rate);
    const std::string out = a.need("out");
    atelier::write_wav(out, pcm);
    if (a.has("json"))
        print({{"out", out},
               {"sample_rate", pcm.sample_rate},
               {"samples", pcm.samples.size()},
               {"duration", pcm.duration()}});
    else
        std::printf("wrote %s (%zu samples, %.3f s, %d Hz mono PCM16)\n", out.c_str(), pcm.samples.size(),
                    pcm.duration(), pcm.sample_rate);
    return 0;
}

int media_mel(const std::string& file, const Args& a) {
    a.check_known({"out", "mel-bins", "json", "help"});
    atelier::WhisperFeatureConfig cfg;
    cfg.feature_size = static_cast<int>(a.integer("mel-bins", 80, 1, 512));
    if (cfg.feature_size != 80 && cfg.feature_size != 128) throw UsageError("--mel-bins must be 80 or 128");
    atelier::WhisperFeatureExtractor fe(cfg);
    const atelier::Audio pcm = atelier::decode_audio(file, cfg.sampling_rate);
    const atelier::LogMel mel = fe.extract(pcm);
    // [1, bins, frames * windows]: consecutive windows side by side, as one long spectrogram.
    const int64_t W = mel.windows, M = mel.n_mels, F = mel.frames;
    std::vector<float> joined(static_cast<size_t>(M * F * W));
    for (int64_t w = 0; w < W; ++w)
        for (int64_t m = 0; m < M; ++m)
            for (int64_t f = 0; f < F; ++f)
                joined[static_cast<size_t>(m * F * W + w * F + f)] =
                    mel.data[static_cast<size_t>((w * M + m) * F + f)];
    const std::string out = a.need("out");
    atelier::write_safetensors(out, {{"input_features", f32_tensor({1, M, F * W}, joined)}},
                               {{"audio", file}, {"windows", std::to_string(W)}});
    if (a.has("json"))
        print({{"out", out}, {"shape", {1, M, F * W}}, {"windows", W}, {"duration", pcm.duration()}});
    else
        std::printf("wrote %s: input_features [1, %lld, %lld] (%lld windows of 30 s, %.3f s of audio)\n",
                    out.c_str(), static_cast<long long>(M), static_cast<long long>(F * W),
                    static_cast<long long>(W), pcm.duration());
    return 0;
}

}  // namespace

int cmd_media(int argc, char** argv) {
    if (argc < 4) throw UsageError("media needs a command and a file: info | frames | audio | mel FILE");
    const std::string sub = argv[2], file = argv[3];
    Args a(argc, argv, 4, kFlags);
    if (sub == "info") return media_info(file, a);
    if (sub == "frames") return media_frames(file, a);
    if (sub == "audio") return media_audio(file, a);
    if (sub == "mel") return media_mel(file, a);
    throw UsageError("unknown media command '" + sub + "' (info, frames, audio, mel)");
}

int cmd_encode(const Args& a) {
    a.check_known({"model", "image", "audio", "out", "device", "dtype", "threads", "json", "help"});
    if (a.has("image") == a.has("audio"))
        throw UsageError("encode needs exactly one of --image FILE or --audio FILE");
    const std::string modality = a.has("image") ? "image" : "audio";
    const std::string file = a.get(modality);
    atelier::LoadOptions o;
    o.device = a.get("device", "cpu");
    o.dtype = a.get("dtype", "auto");
    atelier::init_engine_threads(static_cast<int>(a.integer("threads", 0, 0, 1024)));
    auto model = atelier::MultimodalModel::load(a.need("model"), o, /*with_language_model=*/false);
    const auto arrays = model->encode_details(modality, file);
    atelier::TensorMap tensors;
    json shapes = json::object();
    for (const auto& arr : arrays) {
        tensors[arr.name] = f32_tensor(arr.shape, arr.data);
        shapes[arr.name] = arr.shape;
    }
    const std::string out = a.need("out");
    atelier::write_safetensors(out, tensors, {{modality, file}});
    if (a.has("json")) {
        print({{"out", out}, {"tensors", shapes}});
    } else {
        std::printf("wrote %s:\n", out.c_str());
        for (const auto& [name, shape] : shapes.items())
            std::printf("  %-18s %s\n", name.c_str(), shape.dump().c_str());
    }
    return 0;
}

}  // namespace cli

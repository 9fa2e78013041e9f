#include "multimodal/bundle.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json_util.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace atelier {

bool BundleManifest::is_bundle(const std::string& path) {
    std::error_code ec;
    return fs::is_regular_file(fs::path(path) / kFileName, ec);
}

std::string BundleManifest::resolve(const std::string& relative) const {
    if (relative.empty()) return "";
    fs::path p(relative);
    return p.is_absolute() ? p.string() : (fs::path(dir) / p).lexically_normal().string();
}

BundleManifest BundleManifest::load(const std::string& dir) {
    const std::string where = (fs::path(dir) / kFileName).string();
    std::error_code ec;
    if (!fs::is_regular_file(where, ec))
        throw Error(ErrorCode::FileNotFound, where, "bundle manifest not found");
    const json j = parse_json_object(read_text_file(where), where, "bundle manifest");
    auto str = [&](const json& o, const char* key, const std::string& fallback, bool required = false) {
        auto it = o.find(key);
        if (it == o.end() || it->is_null()) {
            if (required)
                throw Error(ErrorCode::BadConfig, where, std::string("bundle manifest lacks '") + key + "'");
            return fallback;
        }
        if (!it->is_string())
            throw Error(ErrorCode::BadConfig, where, std::string("'") + key + "' must be a string");
        return it->get<std::string>();
    };
    if (str(j, "format", "") != "atelier-bundle")
        throw Error(ErrorCode::BadConfig, where, "'format' must be \"atelier-bundle\"");
    if (!j.value("version", json(1)).is_number_integer() || j.value("version", 1) != 1)
        throw Error(ErrorCode::BadConfig, where, "unsupported bundle version (this Atelier reads version 1)");
    BundleManifest b;
    b.dir = dir;
    b.language_model = str(j, "language_model", "", true);
    b.adapter = str(j, "adapter", "");
    b.chat_template = str(j, "chat_template", "");
    b.fusion = str(j, "fusion", "tokens");
    if (b.fusion != "tokens" && b.fusion != "gated")
        throw Error(ErrorCode::BadConfig, where,
                    "'fusion' must be \"tokens\" or \"gated\", not \"" + b.fusion + "\"");
    auto branch = [&](const char* name) -> std::optional<BundleBranch> {
        auto it = j.find(name);
        if (it == j.end() || it->is_null()) return std::nullopt;
        if (!it->is_object())
            throw Error(ErrorCode::BadConfig, where, std::string("'") + name + "' must be an object");
        BundleBranch br;
        br.encoder = str(*it, "encoder", "", true);
        br.projector = str(*it, "projector", "", true);
        br.feature_select = str(*it, "feature_select", "default");
        if (br.feature_select != "default" && br.feature_select != "full" && br.feature_select != "cls")
            throw Error(ErrorCode::BadConfig, where, "'feature_select' must be default, full or cls");
        auto fl = it->find("feature_layer");
        if (fl != it->end()) {
            if (!fl->is_number_integer())
                throw Error(ErrorCode::BadConfig, where, "'feature_layer' must be an integer");
            br.feature_layer = fl->get<int64_t>();
        }
        return br;
    };
    b.image = branch("image");
    b.audio = branch("audio");
    if (auto v = j.find("video"); v != j.end() && !v->is_null()) {
        if (!v->is_object()) throw Error(ErrorCode::BadConfig, where, "'video' must be an object");
        b.video = true;
        auto fr = v->find("frames");
        if (fr != v->end()) {
            if (!fr->is_number_integer() || fr->get<int64_t>() < 1 || fr->get<int64_t>() > 256)
                throw Error(ErrorCode::BadConfig, where, "'video.frames' must be an integer from 1 to 256");
            b.video_frames = fr->get<int>();
        }
        b.video_temporal = str(*v, "temporal", "");
        auto au = v->find("audio");
        if (au != v->end() && au->is_boolean()) b.video_audio = au->get<bool>();
        auto ts = v->find("timestamps");
        if (ts != v->end() && ts->is_boolean()) b.video_timestamps = ts->get<bool>();
        if (!b.image)
            throw Error(ErrorCode::BadConfig, where, "'video' needs an 'image' branch for its frames");
    }
    if (!b.image && !b.audio)
        throw Error(ErrorCode::BadConfig, where, "the bundle has neither an image nor an audio branch");
    return b;
}

void BundleManifest::save(const std::string& out_dir) const {
    json j = {
        {"format", "atelier-bundle"}, {"version", 1}, {"language_model", language_model}, {"fusion", fusion}};
    if (!adapter.empty()) j["adapter"] = adapter;
    if (!chat_template.empty()) j["chat_template"] = chat_template;
    auto branch = [](const BundleBranch& b) {
        return json{{"encoder", b.encoder},
                    {"feature_layer", b.feature_layer},
                    {"feature_select", b.feature_select},
                    {"projector", b.projector}};
    };
    if (image) j["image"] = branch(*image);
    if (audio) j["audio"] = {{"encoder", audio->encoder}, {"projector", audio->projector}};
    if (video) {
        j["video"] = {{"frames", video_frames}, {"audio", video_audio}, {"timestamps", video_timestamps}};
        if (!video_temporal.empty()) j["video"]["temporal"] = video_temporal;
    }
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    write_text_file((fs::path(out_dir) / kFileName).string(), j.dump(2) + "\n");
}

}  // namespace atelier

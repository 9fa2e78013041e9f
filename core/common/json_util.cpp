#include "common/json_util.h"

#include "common/error.h"

#include <cmath>

namespace atelier {

int json_nesting_depth(std::string_view text, int limit) {
    int depth = 0, deepest = 0;
    bool in_string = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;  // the escaped character cannot end the string
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > deepest) {
                deepest = depth;
                if (deepest > limit) return deepest;
            }
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

namespace {

std::string too_deep_message() {
    return "nests arrays/objects deeper than " + std::to_string(kMaxJsonDepth) + " levels";
}

// Floats beyond +-kMaxJsonNumber (an integer literal of 20+ digits parses as one) are brought to
// +-kMaxJsonNumber: reading them as int64_t would be undefined behaviour (found by fuzz_configs,
// "n_heads": 222...2 with 100 digits), and real files use such values to mean "unbounded"
// (tokenizer_config.json's model_max_length: 1e30). Limits then refuse what is too large.
void saturate_numbers(nlohmann::json& j) {
    if (j.is_number_float()) {
        const double v = j.get<double>();
        if (!(std::fabs(v) <= kMaxJsonNumber)) j = std::isnan(v) ? 0.0 : std::copysign(kMaxJsonNumber, v);
        return;
    }
    if (j.is_structured())
        for (auto& item : j) saturate_numbers(item);  // depth is bounded by kMaxJsonDepth
}

}  // namespace

nlohmann::json parse_json(std::string_view text, const std::string& where, const std::string& what) {
    if (json_nesting_depth(text) > kMaxJsonDepth)
        throw Error(ErrorCode::BadJson, where, what + " " + too_deep_message());
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::BadJson, where, what + " is not valid JSON: " + e.what());
    }
    saturate_numbers(j);
    return j;
}

nlohmann::json parse_json_object(std::string_view text, const std::string& where, const std::string& what) {
    nlohmann::json j = parse_json(text, where, what);
    if (!j.is_object()) throw Error(ErrorCode::BadJson, where, what + " is not a JSON object");
    return j;
}

std::optional<nlohmann::json> try_parse_json(std::string_view text, std::string* why) {
    if (json_nesting_depth(text) > kMaxJsonDepth) {
        if (why) *why = too_deep_message();
        return std::nullopt;
    }
    nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
        if (why) *why = "not valid JSON";
        return std::nullopt;
    }
    saturate_numbers(j);
    return j;
}

}  // namespace atelier

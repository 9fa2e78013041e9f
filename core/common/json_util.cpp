#include "common/json_util.h"

#include "common/error.h"

namespace atelier {

nlohmann::json parse_json_object(const std::string& text, const std::string& where, const std::string& what) {
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::BadJson, where, what + " is not valid JSON: " + e.what());
    }
    if (!j.is_object()) throw Error(ErrorCode::BadJson, where, what + " is not a JSON object");
    return j;
}

}  // namespace atelier

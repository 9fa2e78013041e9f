// Parsing the small JSON files models ship (config.json, preprocessor_config.json, manifests) with
// one error shape: BadJson naming the file. Engine .cpp files only (pulls in nlohmann/json).
//
//   nlohmann::json j = atelier::parse_json_object(text, "clip/config.json", "config");
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace atelier {

// The JSON object in `text`; ErrorCode::BadJson with `where` when it does not parse ("<what> is not
// valid JSON: ...") or is not an object ("<what> is not a JSON object").
nlohmann::json parse_json_object(const std::string& text, const std::string& where, const std::string& what);

}  // namespace atelier

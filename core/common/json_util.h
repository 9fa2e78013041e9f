// Parsing the JSON files models, adapters and datasets ship (config.json, params.json,
// tokenizer.json, adapter_config.json, manifests, dataset rows) with one error shape and one depth
// limit. Engine .cpp files only (pulls in nlohmann/json).
//
//   nlohmann::json j = atelier::parse_json_object(text, "clip/config.json", "config");
//
// nlohmann 3.11 parses iteratively, but copying and dump() recurse: a file of a million nested
// `[` overflows the stack on its first copy. Every parse here refuses nesting deeper than
// kMaxJsonDepth before nlohmann sees the text (real files nest fewer than 10 levels).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace atelier {

inline constexpr int kMaxJsonDepth = 128;
// Floats past this magnitude are read as +-kMaxJsonNumber (a float out of int64's range cannot be
// read as one; files write 1e30 for "unbounded"), and the limits of each field refuse them.
inline constexpr double kMaxJsonNumber = 9.2e18;

// The deepest nesting of arrays and objects in `text` (brackets inside strings do not count),
// stopping early once it passes `limit`. Malformed text is measured as far as it goes.
int json_nesting_depth(std::string_view text, int limit = kMaxJsonDepth);

// The JSON value in `text`; ErrorCode::BadJson with `where` when it does not parse ("<what> is not
// valid JSON: ...") or nests deeper than kMaxJsonDepth. Numbers are saturated at kMaxJsonNumber.
nlohmann::json parse_json(std::string_view text, const std::string& where, const std::string& what);

// As parse_json, and the value must be an object ("<what> is not a JSON object").
nlohmann::json parse_json_object(std::string_view text, const std::string& where, const std::string& what);

// The value in `text`, or nullopt with the reason in `why` (not valid JSON, too deep): for callers
// that skip what does not parse (dataset rows, format sniffing).
std::optional<nlohmann::json> try_parse_json(std::string_view text, std::string* why = nullptr);

}  // namespace atelier

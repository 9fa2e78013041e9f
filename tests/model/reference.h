// stories260K reference data (llama2.c run.c greedy outputs and first-step logits).
#pragma once

#include "test_util.h"

#include <nlohmann/json.hpp>

namespace atelier::test {

inline const nlohmann::json& reference() {
    static const nlohmann::json j = nlohmann::json::parse(read_file(fixture("stories260K/reference.json")));
    return j;
}

}  // namespace atelier::test

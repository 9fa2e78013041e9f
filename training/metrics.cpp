#include "metrics.h"

#include <nlohmann/json.hpp>

namespace atelier {

void JsonLinesSink::log(const std::string& name, double value, int64_t step) {
    m_out << nlohmann::json{{"type", "metric"}, {"name", name}, {"value", value}, {"step", step}}.dump()
          << std::endl;
}

void JsonLinesSink::event(const std::string& kind, const std::string& detail, int64_t step) {
    m_out << nlohmann::json{{"type", "event"}, {"kind", kind}, {"detail", detail}, {"step", step}}.dump(
                 -1, ' ', false, nlohmann::json::error_handler_t::replace)
          << std::endl;
}

}  // namespace atelier

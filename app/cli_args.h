// Command-line parsing shared by atelier-cli's commands: --name value pairs, flags, typed getters.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// --name value pairs; repeated names accumulate; flags have no value.
class Args {
public:
    Args(int argc, char** argv, int first, const std::set<std::string>& flags) : m_argc(argc), m_argv(argv) {
        for (int i = first; i < argc; ++i) {
            std::string a = argv[i];
            if (a.rfind("--", 0) != 0) throw UsageError("unexpected argument '" + a + "'");
            std::string name = a.substr(2);
            if (flags.count(name)) {
                m_values[name].push_back("1");
                continue;
            }
            if (i + 1 >= argc) throw UsageError("option --" + name + " needs a value");
            m_values[name].push_back(argv[++i]);
        }
    }
    bool has(const std::string& n) const { return m_values.count(n) > 0; }
    // The whole command line, as main received it (data-parallel training starts it again).
    int argc() const { return m_argc; }
    char** argv() const { return m_argv; }
    std::string get(const std::string& n, const std::string& fallback = "") const {
        auto it = m_values.find(n);
        return it == m_values.end() ? fallback : it->second.back();
    }
    std::string need(const std::string& n) const {
        if (!has(n)) throw UsageError("missing --" + n);
        return get(n);
    }
    std::vector<std::string> all(const std::string& n) const {
        auto it = m_values.find(n);
        return it == m_values.end() ? std::vector<std::string>{} : it->second;
    }
    double number(const std::string& n, double fallback) const {
        if (!has(n)) return fallback;
        try {
            size_t used = 0;
            double v = std::stod(get(n), &used);
            if (used != get(n).size() || !std::isfinite(v)) throw std::invalid_argument("not a number");
            return v;
        } catch (const std::exception&) {
            throw UsageError("--" + n + " expects a number, got '" + get(n) + "'");
        }
    }
    // An integer within [lo, hi].
    int64_t integer(const std::string& n, int64_t fallback, int64_t lo, int64_t hi) const {
        if (!has(n)) return fallback;
        try {
            size_t used = 0;
            long long v = std::stoll(get(n), &used);
            if (used != get(n).size() || v < lo || v > hi) throw std::out_of_range("range");
            return v;
        } catch (const std::exception&) {
            throw UsageError("--" + n + " expects a whole number from " + std::to_string(lo) + " to " +
                             std::to_string(hi) + ", got '" + get(n) + "'");
        }
    }
    void check_known(const std::set<std::string>& known) const {
        for (const auto& [k, v] : m_values)
            if (!known.count(k)) throw UsageError("unknown option --" + k);
    }

private:
    int m_argc = 0;
    char** m_argv = nullptr;
    std::map<std::string, std::vector<std::string>> m_values;
};

// atelier-cli media ... / atelier-cli encode ... (cli_media.cpp)
int cmd_media(int argc, char** argv);
int cmd_encode(const Args& a);
// atelier-cli eval ... (cli_eval.cpp)
int cmd_eval(const Args& a);
// atelier-cli demo-data ... (cli_demo.cpp)
int cmd_demo_data(const Args& a);
// atelier-cli devices (cli_devices.cpp)
int cmd_devices(const Args& a);
// atelier-cli train / new-encoder (cli_train.cpp)
int cmd_train(const Args& a);
int cmd_new_encoder(const Args& a);

}  // namespace cli

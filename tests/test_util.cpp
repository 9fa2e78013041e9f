#include "test_util.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace atelier::test {

namespace {
struct TempDirs {
    std::vector<std::string> dirs;
    ~TempDirs() {
        for (const auto& d : dirs) {
            std::error_code ec;
            fs::remove_all(d, ec);
        }
    }
};
TempDirs& temp_dirs() {
    static TempDirs t;
    return t;
}
}  // namespace

std::string fixtures_dir() {
    const char* env = std::getenv("ATELIER_FIXTURES");
    if (!env || !fs::exists(fs::path(env) / "stories260K")) {
        ADD_FAILURE() << "ATELIER_FIXTURES is not set or has no stories260K/ (got '" << (env ? env : "")
                      << "'): the reference fixtures are required";
        throw std::runtime_error("fixtures missing");
    }
    return env;
}

std::string fixture(const std::string& relative) {
    std::string p = fixtures_dir() + "/" + relative;
    if (!fs::exists(p)) {
        ADD_FAILURE() << "fixture missing: " << p;
        throw std::runtime_error("fixture missing: " + p);
    }
    return p;
}

std::string tools_dir() {
    const char* env = std::getenv("ATELIER_TEST_TOOLS");
    return env ? env : "tests/tools";
}

std::string make_temp_dir(const std::string& tag) {
    std::string templ = (fs::temp_directory_path() / ("atelier-" + tag + "-XXXXXX")).string();
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error("mkdtemp failed");
    temp_dirs().dirs.emplace_back(buf.data());
    return buf.data();
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot read " + path);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error("cannot write " + path);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

int run_command(const std::string& cmd, std::string* out) {
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) return -1;
    std::array<char, 4096> buf{};
    std::string captured;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) captured.append(buf.data(), n);
    int status = pclose(pipe);
    if (out) *out = captured;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

float bf16_to_float(uint16_t h) {
    const uint32_t bits = uint32_t(h) << 16;
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

uint16_t float_to_bf16(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    return static_cast<uint16_t>((bits + 0x7fffu + ((bits >> 16) & 1u)) >> 16);
}

uint16_t bf16_bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return static_cast<uint16_t>(u >> 16);
}

bool mapped_from(const void* p, const std::string& path) {
    const std::string want = fs::canonical(path).string();
    std::ifstream maps("/proc/self/maps");
    std::string line;
    const auto addr = reinterpret_cast<uintptr_t>(p);
    while (std::getline(maps, line)) {
        uintptr_t lo = 0, hi = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx", &lo, &hi) != 2) continue;
        const auto slash = line.find('/');
        if (addr >= lo && addr < hi && slash != std::string::npos && line.substr(slash) == want) return true;
    }
    return false;
}

}  // namespace atelier::test

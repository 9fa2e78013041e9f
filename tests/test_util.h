// Helpers shared by the test suites: where the fixtures are, scratch folders, file I/O.
#pragma once

#include "common/error.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace atelier::test {

// $ATELIER_FIXTURES (set by CTest). Fails the test (ADD_FAILURE + throw) when missing: fixtures
// are never optional in CI.
std::string fixtures_dir();
std::string fixture(const std::string& relative);  // fixtures_dir() + "/" + relative, must exist
std::string tools_dir();                           // tests/tools (scripts that make test data)

// A fresh empty directory under the system temp dir, removed at process exit.
std::string make_temp_dir(const std::string& tag);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& bytes);

// Runs a shell command, returns its exit status; stdout captured into *out when given.
int run_command(const std::string& cmd, std::string* out = nullptr);

// Upper 16 bits of a float: its bf16 (exact for values with <= 8 significant bits).
uint16_t bf16_bits(float f);
// bf16 bits to float, and float to bf16 rounded to nearest even (finite values).
float bf16_to_float(uint16_t h);
uint16_t float_to_bf16(float f);

// True when `p` lies in a mapping of `path` in this process (a reader did not copy).
bool mapped_from(const void* p, const std::string& path);

// The code of the atelier::Error that `f` throws; a test failure (and ErrorCode::Io) if none.
template <typename F>
ErrorCode error_code_of(F&& f) {
    try {
        f();
    } catch (const atelier::Error& e) {
        return e.code();
    }
    ADD_FAILURE() << "no atelier::Error thrown";
    return ErrorCode::Io;
}

}  // namespace atelier::test

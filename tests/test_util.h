// Helpers shared by the test suites: where the fixtures are, scratch folders, file I/O.
#pragma once

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

}  // namespace atelier::test

// Shared by the libFuzzer targets: the readers under test take paths (they mmap), so each input is
// written to a file in a per-process scratch folder first. A target must end every input with a
// value or an atelier::Error; anything else (a crash, a sanitizer report, another exception, a
// hang, more than -rss_limit_mb) is a finding.
#pragma once

#include "common/error.h"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace fuzz {

inline const std::string& scratch_dir() {
    static const std::string dir = [] {
        const char* tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/atelier-fuzz-XXXXXX";
        if (!::mkdtemp(pattern.data())) std::abort();
        return pattern;
    }();
    return dir;
}

// Writes the input as `name` in the scratch folder (replacing it) and returns its path.
inline std::string write_input(const uint8_t* data, size_t size, const std::string& name) {
    const std::string path = scratch_dir() + "/" + name;
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    f.close();
    if (!f) std::abort();
    return path;
}

// Reads every byte handed out, so a view past its mapping is a sanitizer report, not luck.
inline void touch(const void* p, size_t n) {
    volatile uint8_t sum = 0;
    for (size_t i = 0; i < n; ++i) sum = sum + static_cast<const uint8_t*>(p)[i];
}

}  // namespace fuzz

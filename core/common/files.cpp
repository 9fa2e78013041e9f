#include "common/files.h"

#include "common/error.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace atelier {

std::string read_text_file(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::FileNotFound, path, "no such file");
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(ErrorCode::Io, path, "cannot read file");
    std::stringstream ss;
    ss << f.rdbuf();
    if (f.bad()) throw Error(ErrorCode::Io, path, "read failed");
    return ss.str();
}

}  // namespace atelier

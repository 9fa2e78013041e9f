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

void write_text_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        f << text;
        if (!f) throw Error(ErrorCode::Io, tmp, "cannot write");
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw Error(ErrorCode::Io, path, "cannot move into place: " + ec.message());
}

}  // namespace atelier

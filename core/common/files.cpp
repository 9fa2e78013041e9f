#include "common/files.h"

#include "common/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace atelier {

namespace {

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

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

void sync_path(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ErrorCode::Io, path, errno_text("cannot open to sync"));
    const bool ok = ::fsync(fd) == 0 || errno == EINVAL;  // EINVAL: a file system without fsync
    const std::string why = ok ? "" : errno_text("fsync failed");
    ::close(fd);
    if (!ok) throw Error(ErrorCode::Io, path, why);
}

void write_all(int fd, const void* data, size_t size, const std::string& where) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        const ssize_t n = ::write(fd, p, std::min<size_t>(size, size_t{1} << 30));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)  // 0: cannot happen for a regular file, but never loop forever
            throw Error(ErrorCode::Io, where, errno_text("write failed"));
        p += n;
        size -= static_cast<size_t>(n);
    }
}

void sync_parent(const std::string& path) {
    const std::string parent = std::filesystem::path(path).parent_path().string();
    sync_path(parent.empty() ? "." : parent);
}

bool same_path(const std::string& a, const std::string& b) {
    if (a.empty() || b.empty()) return false;
    std::error_code ec;
    const bool same = std::filesystem::equivalent(a, b, ec);
    return !ec && same;
}

void move_folder_contents(const std::string& from, const std::string& to) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(to, ec);
    if (ec) throw Error(ErrorCode::Io, to, "cannot create folder: " + ec.message());
    for (const auto& entry : fs::directory_iterator(from)) {
        const fs::path target = fs::path(to) / entry.path().filename();
        if (fs::is_directory(target, ec) && !fs::is_symlink(target, ec)) fs::remove_all(target, ec);
        fs::rename(entry.path(), target, ec);
        if (ec) throw Error(ErrorCode::Io, target.string(), "cannot move into place: " + ec.message());
    }
    sync_path(to);
}

void copy_folder_files(const std::string& from, const std::string& to) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (!fs::is_directory(from, ec)) throw Error(ErrorCode::FileNotFound, from, "no such folder");
    fs::create_directories(to, ec);
    if (ec) throw Error(ErrorCode::Io, to, "cannot create folder: " + ec.message());
    if (same_path(from, to))
        throw Error(ErrorCode::InvalidArgument, to, "this is the folder being exported; choose another one");
    for (const auto& entry : fs::directory_iterator(from)) {
        if (!entry.is_regular_file(ec)) continue;
        const fs::path target = fs::path(to) / entry.path().filename();
        const fs::path part = target.string() + ".part";
        fs::copy_file(entry.path(), part, fs::copy_options::overwrite_existing, ec);
        if (ec) {
            fs::remove(part, ec);
            throw Error(ErrorCode::Io, target.string(),
                        "cannot copy " + entry.path().string() + ": " + ec.message());
        }
        try {
            sync_path(part.string());
        } catch (...) {
            fs::remove(part, ec);
            throw;
        }
        fs::rename(part, target, ec);
        if (ec) throw Error(ErrorCode::Io, target.string(), "cannot move into place: " + ec.message());
    }
    sync_path(to);
}

void write_text_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(ErrorCode::Io, tmp, errno_text("cannot create"));
    auto fail = [&](const std::string& why) {
        ::unlink(tmp.c_str());
        return Error(ErrorCode::Io, path, why);
    };
    try {
        write_all(fd, text.data(), text.size(), path);
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    if (::fsync(fd) != 0 && errno != EINVAL) {
        const std::string why = errno_text("fsync failed");
        ::close(fd);
        throw fail(why);
    }
    if (::close(fd) != 0) throw fail(errno_text("close failed"));
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw fail(errno_text("cannot move into place"));
    sync_parent(path);
}

}  // namespace atelier

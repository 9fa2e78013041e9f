#include "common/files.h"

#include "common/error.h"

#ifdef _WIN32
#include "common/win32.h"

#include <fcntl.h>
#include <io.h>
#include <share.h>
#include <sys/stat.h>
#else
#include <fcntl.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace atelier {

namespace {

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

#ifdef _WIN32

// The nearest errno for a Win32 error, so that callers report it as they report a POSIX failure.
int errno_from_win32(DWORD err) {
    switch (err) {
        case ERROR_FILE_NOT_FOUND:
        case ERROR_PATH_NOT_FOUND:
        case ERROR_INVALID_DRIVE: return ENOENT;
        case ERROR_ACCESS_DENIED:
        case ERROR_SHARING_VIOLATION:
        case ERROR_LOCK_VIOLATION: return EACCES;
        case ERROR_USER_MAPPED_FILE: return EBUSY;  // the target is memory-mapped (a loaded model)
        case ERROR_ALREADY_EXISTS:
        case ERROR_FILE_EXISTS: return EEXIST;
        case ERROR_NOT_SAME_DEVICE: return EXDEV;
        case ERROR_DISK_FULL:
        case ERROR_HANDLE_DISK_FULL: return ENOSPC;
        case ERROR_DIR_NOT_EMPTY: return ENOTEMPTY;
        case ERROR_WRITE_PROTECT: return EROFS;
        case ERROR_NOT_ENOUGH_MEMORY:
        case ERROR_OUTOFMEMORY: return ENOMEM;
        case ERROR_INVALID_NAME:
        case ERROR_INVALID_PARAMETER: return EINVAL;
        case ERROR_FILENAME_EXCED_RANGE: return ENAMETOOLONG;
        default: return EIO;
    }
}

// MoveFileExW that replaces `to` and returns only once the move is on disk (no folder fsync here).
bool move_replacing(const std::filesystem::path& from, const std::filesystem::path& to, DWORD* err) {
    if (::MoveFileExW(from.c_str(), to.c_str(), MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        return true;
    *err = ::GetLastError();
    return false;
}

#endif

// std::filesystem::rename, which replaces an existing file of the same name.
void rename_over(const std::filesystem::path& from, const std::filesystem::path& to, std::error_code& ec) {
#ifdef _WIN32
    DWORD err = 0;
    if (move_replacing(from, to, &err))
        ec.clear();
    else
        ec.assign(static_cast<int>(err), std::system_category());
#else
    std::filesystem::rename(from, to, ec);
#endif
}

}  // namespace

std::filesystem::path path_from_utf8(const std::string& utf8) {
#ifdef _WIN32
#if defined(__cpp_char8_t)
    return std::filesystem::path(std::u8string(utf8.begin(), utf8.end()));
#else
    return std::filesystem::u8path(utf8);
#endif
#else
    return std::filesystem::path(utf8);
#endif
}

std::string path_to_utf8(const std::filesystem::path& path) {
#ifdef _WIN32
    const auto s = path.u8string();  // std::string in C++17, std::u8string in C++20
    return std::string(s.begin(), s.end());
#else
    return path.string();
#endif
}

int create_file(const std::string& path) {
#ifdef _WIN32
    int fd = -1;
    const errno_t err = ::_wsopen_s(&fd, path_from_utf8(path).c_str(),
                                    _O_WRONLY | _O_CREAT | _O_TRUNC | _O_BINARY | _O_NOINHERIT, _SH_DENYNO,
                                    _S_IREAD | _S_IWRITE);
    if (err != 0) {
        errno = err;
        return -1;
    }
    return fd;
#else
    return ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
#endif
}

bool sync_fd(int fd) {
#if defined(_WIN32)
    return ::_commit(fd) == 0;  // FlushFileBuffers: through the drive's cache
#elif defined(__APPLE__)
    // fsync(2) on macOS leaves the data in the drive's cache; F_FULLFSYNC flushes it. Some file
    // systems (network shares, FAT) refuse F_FULLFSYNC: fsync is then the best there is.
    if (::fcntl(fd, F_FULLFSYNC) == 0) return true;
    return ::fsync(fd) == 0;
#else
    return ::fsync(fd) == 0;
#endif
}

bool close_fd(int fd) {
#ifdef _WIN32
    return ::_close(fd) == 0;
#else
    return ::close(fd) == 0;
#endif
}

bool replace_file(const std::string& from, const std::string& to) {
#ifdef _WIN32
    DWORD err = 0;
    if (move_replacing(path_from_utf8(from), path_from_utf8(to), &err)) return true;
    errno = errno_from_win32(err);
    return false;
#else
    return ::rename(from.c_str(), to.c_str()) == 0;
#endif
}

void remove_file(const std::string& path) {
#ifdef _WIN32
    ::_wunlink(path_from_utf8(path).c_str());
#else
    ::unlink(path.c_str());
#endif
}

std::string read_text_file(const std::string& path) {
    std::error_code ec;
    const std::filesystem::path p = path_from_utf8(path);
    if (!std::filesystem::exists(p, ec)) throw Error(ErrorCode::FileNotFound, path, "no such file");
    std::ifstream f(p, std::ios::binary);
    if (!f) throw Error(ErrorCode::Io, path, "cannot read file");
    std::stringstream ss;
    ss << f.rdbuf();
    if (f.bad()) throw Error(ErrorCode::Io, path, "read failed");
    return ss.str();
}

void sync_path(const std::string& path) {
#ifdef _WIN32
    // A folder cannot be opened as a file to flush it on Windows; renames into it are made durable
    // by MOVEFILE_WRITE_THROUGH instead (replace_file, move_folder_contents, copy_folder_files).
    const std::filesystem::path p = path_from_utf8(path);
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) return;
    // FlushFileBuffers needs a handle with write access.
    const HANDLE h =
        ::CreateFileW(p.c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                      nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) {
        const DWORD err = ::GetLastError();
        // A read-only file, or one another program holds without sharing: not ours to flush (as
        // EINVAL is tolerated on POSIX); the system writes it back in its own time.
        if (err == ERROR_ACCESS_DENIED || err == ERROR_SHARING_VIOLATION) return;
        throw Error(ErrorCode::Io, path, "cannot open to sync: " + win32_error_text(err));
    }
    const bool ok = ::FlushFileBuffers(h) != 0;
    const DWORD err = ok ? 0 : ::GetLastError();
    ::CloseHandle(h);
    if (!ok) throw Error(ErrorCode::Io, path, "fsync failed: " + win32_error_text(err));
#else
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(ErrorCode::Io, path, errno_text("cannot open to sync"));
    const bool ok = sync_fd(fd) || errno == EINVAL;  // EINVAL: a file system without fsync
    const std::string why = ok ? "" : errno_text("fsync failed");
    ::close(fd);
    if (!ok) throw Error(ErrorCode::Io, path, why);
#endif
}

void write_all(int fd, const void* data, size_t size, const std::string& where) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
#ifdef _WIN32
        const int n = ::_write(fd, p, static_cast<unsigned>(std::min<size_t>(size, size_t{1} << 30)));
#else
        const ssize_t n = ::write(fd, p, std::min<size_t>(size, size_t{1} << 30));
#endif
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0)  // 0: cannot happen for a regular file, but never loop forever
            throw Error(ErrorCode::Io, where, errno_text("write failed"));
        p += n;
        size -= static_cast<size_t>(n);
    }
}

void sync_parent(const std::string& path) {
    const std::string parent = path_to_utf8(path_from_utf8(path).parent_path());
    sync_path(parent.empty() ? "." : parent);
}

bool same_path(const std::string& a, const std::string& b) {
    if (a.empty() || b.empty()) return false;
    std::error_code ec;
    const bool same = std::filesystem::equivalent(path_from_utf8(a), path_from_utf8(b), ec);
    return !ec && same;
}

void move_folder_contents(const std::string& from, const std::string& to) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path to_path = path_from_utf8(to);
    fs::create_directories(to_path, ec);
    if (ec) throw Error(ErrorCode::Io, to, "cannot create folder: " + ec.message());
    for (const auto& entry : fs::directory_iterator(path_from_utf8(from))) {
        const fs::path target = to_path / entry.path().filename();
        if (fs::is_directory(target, ec) && !fs::is_symlink(target, ec)) fs::remove_all(target, ec);
        rename_over(entry.path(), target, ec);
        if (ec) throw Error(ErrorCode::Io, path_to_utf8(target), "cannot move into place: " + ec.message());
    }
    sync_path(to);
}

void copy_folder_files(const std::string& from, const std::string& to) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path from_path = path_from_utf8(from), to_path = path_from_utf8(to);
    if (!fs::is_directory(from_path, ec)) throw Error(ErrorCode::FileNotFound, from, "no such folder");
    fs::create_directories(to_path, ec);
    if (ec) throw Error(ErrorCode::Io, to, "cannot create folder: " + ec.message());
    if (same_path(from, to))
        throw Error(ErrorCode::InvalidArgument, to, "this is the folder being exported; choose another one");
    for (const auto& entry : fs::directory_iterator(from_path)) {
        if (!entry.is_regular_file(ec)) continue;
        const fs::path target = to_path / entry.path().filename();
        fs::path part = target;
        part += ".part";
        fs::copy_file(entry.path(), part, fs::copy_options::overwrite_existing, ec);
        if (ec) {
            fs::remove(part, ec);
            throw Error(ErrorCode::Io, path_to_utf8(target),
                        "cannot copy " + path_to_utf8(entry.path()) + ": " + ec.message());
        }
        try {
            sync_path(path_to_utf8(part));
        } catch (...) {
            fs::remove(part, ec);
            throw;
        }
        rename_over(part, target, ec);
        if (ec) throw Error(ErrorCode::Io, path_to_utf8(target), "cannot move into place: " + ec.message());
    }
    sync_path(to);
}

void write_text_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    const int fd = create_file(tmp);
    if (fd < 0) throw Error(ErrorCode::Io, tmp, errno_text("cannot create"));
    auto fail = [&](const std::string& why) {
        remove_file(tmp);
        return Error(ErrorCode::Io, path, why);
    };
    try {
        write_all(fd, text.data(), text.size(), path);
    } catch (...) {
        close_fd(fd);
        remove_file(tmp);
        throw;
    }
    if (!sync_fd(fd) && errno != EINVAL) {
        const std::string why = errno_text("fsync failed");
        close_fd(fd);
        throw fail(why);
    }
    if (!close_fd(fd)) throw fail(errno_text("close failed"));
    if (!replace_file(tmp, path)) throw fail(errno_text("cannot move into place"));
    sync_parent(path);
}

}  // namespace atelier

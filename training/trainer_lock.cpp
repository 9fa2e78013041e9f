#include "trainer_lock.h"

#include "common/error.h"
#include "common/files.h"

#ifdef _WIN32
#include "common/win32.h"

#include "common/process.h"

#include <fstream>
#include <system_error>
#else
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#ifdef __APPLE__
#include <sys/file.h>
#endif
#endif

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#if defined(_WIN32) || defined(__APPLE__)
#include <chrono>
#include <thread>
#endif

namespace fs = std::filesystem;

namespace atelier {

namespace {

std::string lock_path(const std::string& out_dir) {
    return (fs::path(out_dir) / "trainer.lock").string();
}

std::string stop_path(const std::string& out_dir) {
    return (fs::path(out_dir) / "trainer.stop").string();
}

// The pid written at the start of `buf` (NUL-terminated); 0 when absent or not a plausible pid.
int64_t parse_pid(const char* buf) {
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(buf, &end, 10);
    if (errno != 0 || end == buf) return 0;
    return v > 1 && v <= INT_MAX ? static_cast<int64_t>(v) : 0;
}

#if defined(_WIN32) || defined(__APPLE__)
// A probe (a shared lock taken and dropped at once) may hold a lock for an instant: a trainer taking
// it tries again for a moment before it decides that another trainer holds the folder.
constexpr int kBusyTries = 20;
constexpr std::chrono::milliseconds kBusyWait{10};
#endif

#ifdef _WIN32

// Windows byte-range locks are mandatory (a locked byte cannot be read through another handle), so
// the two one-byte locks sit far past the pid text, at 1 GiB as SQLite's do (locking past the end of
// a file is allowed, on FAT too): the first says "a trainer holds this folder", the second — taken
// only after the trainer wrote its pid — says "the pid in the file is its".
constexpr uint64_t kRunningByte = uint64_t{1} << 30, kPidWrittenByte = kRunningByte + 1;

// Not inherited by child processes (no security attributes), shared with every other opener.
HANDLE open_lock(const std::string& path, bool create) {
    return ::CreateFileW(path_from_utf8(path).wstring().c_str(),
                         create ? GENERIC_READ | GENERIC_WRITE : GENERIC_READ,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         create ? OPEN_ALWAYS : OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
}

OVERLAPPED at(uint64_t offset) {
    OVERLAPPED ov{};
    ov.Offset = static_cast<DWORD>(offset & 0xFFFFFFFFu);
    ov.OffsetHigh = static_cast<DWORD>(offset >> 32);
    return ov;
}

bool lock_byte(HANDLE h, uint64_t byte, bool exclusive) {
    OVERLAPPED ov = at(byte);
    const DWORD flags = (exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0) | LOCKFILE_FAIL_IMMEDIATELY;
    return ::LockFileEx(h, flags, 0, 1, 0, &ov) != 0;
}

void unlock_byte(HANDLE h, uint64_t byte) {
    OVERLAPPED ov = at(byte);
    ::UnlockFileEx(h, 0, 1, 0, &ov);
}

// The trainer's exclusive lock; false with GetLastError() set when it cannot be had.
bool take_byte(HANDLE h, uint64_t byte) {
    for (int attempt = 0;; ++attempt) {
        if (lock_byte(h, byte, true)) return true;
        if (::GetLastError() != ERROR_LOCK_VIOLATION || attempt == kBusyTries) return false;
        std::this_thread::sleep_for(kBusyWait);
    }
}

// Whether some handle holds `byte` exclusively: a shared lock of it fails then. Probes' shared locks
// never block each other.
bool byte_locked(HANDLE h, uint64_t byte) {
    if (lock_byte(h, byte, false)) {
        unlock_byte(h, byte);
        return false;
    }
    return ::GetLastError() == ERROR_LOCK_VIOLATION;
}

int64_t written_pid(HANDLE h) {
    char buf[32] = {};
    OVERLAPPED ov = at(0);
    DWORD n = 0;
    if (!::ReadFile(h, buf, static_cast<DWORD>(sizeof buf - 1), &n, &ov) || n == 0) return 0;
    return parse_pid(buf);
}

bool write_pid(HANDLE h, const std::string& text) {
    LARGE_INTEGER zero{};
    OVERLAPPED ov = at(0);
    DWORD n = 0;
    return ::SetFilePointerEx(h, zero, nullptr, FILE_BEGIN) && ::SetEndOfFile(h) &&
           ::WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &n, &ov) && n == text.size();
}

bool held(const std::string& out_dir, int64_t* pid) {
    const HANDLE h = open_lock(lock_path(out_dir), false);
    if (h == INVALID_HANDLE_VALUE) return false;
    const bool locked = byte_locked(h, kRunningByte);
    if (pid) *pid = locked && byte_locked(h, kPidWrittenByte) ? written_pid(h) : 0;
    ::CloseHandle(h);
    return locked;
}

#elif defined(__APPLE__)

// No OFD locks in macOS's SDK: flock(2) locks, which belong to the open file description too, on two
// files — trainer.lock says "a trainer holds this folder" (and holds its pid), trainer.pid.lock,
// taken only after the trainer wrote its pid, says "the pid in trainer.lock is its".
std::string pid_lock_path(const std::string& out_dir) {
    return (fs::path(out_dir) / "trainer.pid.lock").string();
}

// The trainer's exclusive lock; false with errno set when it cannot be had.
bool take_flock(int fd) {
    for (int attempt = 0;; ++attempt) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK || attempt == kBusyTries) return false;
        std::this_thread::sleep_for(kBusyWait);
    }
}

// Whether some open file description holds `path` exclusively: a shared lock of it fails then.
// Probes' shared locks never block each other.
bool flock_held(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool locked = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);  // drops the probe's own lock, if it got one
    return locked;
}

int64_t written_pid(int fd) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    return n > 0 ? parse_pid(buf) : 0;
}

bool held(const std::string& out_dir, int64_t* pid) {
    const bool locked = flock_held(lock_path(out_dir));
    if (pid) {
        *pid = 0;
        if (locked && flock_held(pid_lock_path(out_dir))) {
            const int fd = ::open(lock_path(out_dir).c_str(), O_RDONLY | O_CLOEXEC);
            if (fd >= 0) {
                *pid = written_pid(fd);
                ::close(fd);
            }
        }
    }
    return locked;
}

#else

// Two one-byte locks (past the end of the file is allowed): byte 0 says "a trainer holds this
// folder", byte 1 — taken only after the trainer wrote its pid — says "the pid in the file is its".
// Between the two, the file may still hold a dead trainer's pid, which must never be signalled.
constexpr off_t kRunningByte = 0, kPidWrittenByte = 1;

struct flock byte_lock(off_t byte) {
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    fl.l_start = byte;
    fl.l_len = 1;
    fl.l_pid = 0;  // must be 0 for OFD locks
    return fl;
}

bool byte_locked(int fd, off_t byte) {
    struct flock fl = byte_lock(byte);
    return ::fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

// The pid written in the lock file; 0 when absent or not a plausible pid.
int64_t written_pid(int fd) {
    char buf[32] = {};
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0) return 0;
    return parse_pid(buf);
}

// Whether another open file description holds the folder's lock; via `pid`, the holder's pid once
// it has written it (else 0).
bool held(const std::string& out_dir, int64_t* pid) {
    const int fd = ::open(lock_path(out_dir).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool locked = byte_locked(fd, kRunningByte);
    if (pid) *pid = locked && byte_locked(fd, kPidWrittenByte) ? written_pid(fd) : 0;
    ::close(fd);  // an OFD lock is tied to its own description: closing this one releases nothing
    return locked;
}

#endif

Error held_by_another(const std::string& out_dir, int64_t holder) {
    return Error(ErrorCode::InvalidArgument, out_dir,
                 "another trainer" + (holder ? " (process " + std::to_string(holder) + ")" : std::string()) +
                     " is training this run folder");
}

#ifndef _WIN32
// <run>/trainer.lock opened for a trainer (the folder made first if need be); throws when it cannot be.
int open_lock_for_trainer(const std::string& out_dir) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    const std::string path = lock_path(out_dir);
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        throw Error(ErrorCode::Io, path,
                    std::string("cannot create the trainer lock: ") + std::strerror(errno));
    return fd;
}
#endif

}  // namespace

#ifdef _WIN32

TrainerLock::TrainerLock(const std::string& out_dir) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    const std::string path = lock_path(out_dir);
    const HANDLE h = open_lock(path, true);
    if (h == INVALID_HANDLE_VALUE)
        throw Error(ErrorCode::Io, path,
                    "cannot create the trainer lock: " + win32_error_text(::GetLastError()));
    if (!take_byte(h, kRunningByte)) {
        const DWORD err = ::GetLastError();
        const int64_t holder = written_pid(h);
        ::CloseHandle(h);
        if (err != ERROR_LOCK_VIOLATION)
            throw Error(ErrorCode::Io, path, "cannot lock the run folder: " + win32_error_text(err));
        throw held_by_another(out_dir, holder);
    }
    // A stop asked of an earlier trainer of this folder is not for this one; stop_trainer can ask
    // this one only once its pid is written below.
    m_stop_path = stop_path(out_dir);
    fs::remove(m_stop_path, ec);
    std::error_code exists_ec;
    const bool stale_stop = fs::exists(m_stop_path, exists_ec);
    const std::string text = std::to_string(current_pid()) + "\n";
    if (stale_stop || !write_pid(h, text) || !take_byte(h, kPidWrittenByte)) {
        const std::string why =
            stale_stop ? "cannot remove " + m_stop_path : win32_error_text(::GetLastError());
        unlock_byte(h, kRunningByte);
        ::CloseHandle(h);
        throw Error(ErrorCode::Io, path, "cannot write the trainer lock: " + why);
    }
    m_handle = h;
}

TrainerLock::~TrainerLock() {
    if (!m_handle) return;
    const HANDLE h = static_cast<HANDLE>(m_handle);
    // Before the lock goes: once it has, the stop file may already be a request to the next trainer.
    std::error_code ec;
    fs::remove(m_stop_path, ec);
    LARGE_INTEGER zero{};
    if (::SetFilePointerEx(h, zero, nullptr, FILE_BEGIN)) ::SetEndOfFile(h);  // a stale pid is ignored anyway
    // Windows frees the locks of a closed handle only "when resources allow": unlocked explicitly.
    unlock_byte(h, kPidWrittenByte);
    unlock_byte(h, kRunningByte);
    ::CloseHandle(h);
}

#elif defined(__APPLE__)

TrainerLock::TrainerLock(const std::string& out_dir) {
    const std::string path = lock_path(out_dir);
    m_fd = open_lock_for_trainer(out_dir);
    if (!take_flock(m_fd)) {
        const int err = errno;
        const int64_t holder = written_pid(m_fd);
        ::close(m_fd);
        m_fd = -1;
        if (err != EWOULDBLOCK)  // e.g. ENOTSUP: a file system without locks
            throw Error(ErrorCode::Io, path,
                        std::string("cannot lock the run folder: ") + std::strerror(err));
        throw held_by_another(out_dir, holder);
    }
    const std::string text = std::to_string(::getpid()) + "\n";
    if (::ftruncate(m_fd, 0) != 0 ||
        ::pwrite(m_fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
        (m_pid_fd = ::open(pid_lock_path(out_dir).c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0 ||
        !take_flock(m_pid_fd)) {
        const std::string why = std::strerror(errno);
        if (m_pid_fd >= 0) ::close(m_pid_fd);
        ::close(m_fd);
        m_fd = m_pid_fd = -1;
        throw Error(ErrorCode::Io, path, "cannot write the trainer lock: " + why);
    }
}

TrainerLock::~TrainerLock() {
    if (m_fd < 0) return;
    [[maybe_unused]] const int rc = ::ftruncate(m_fd, 0);  // a stale pid in a free lock is ignored anyway
    ::close(m_pid_fd);  // "the pid is written" ends before "a trainer holds the folder"
    ::close(m_fd);
}

#else

TrainerLock::TrainerLock(const std::string& out_dir) {
    const std::string path = lock_path(out_dir);
    m_fd = open_lock_for_trainer(out_dir);
    struct flock fl = byte_lock(kRunningByte);
    if (::fcntl(m_fd, F_OFD_SETLK, &fl) != 0) {
        const int err = errno;
        const int64_t holder = written_pid(m_fd);
        ::close(m_fd);
        m_fd = -1;
        if (err != EAGAIN && err != EACCES)  // e.g. ENOLCK: a file system without locks
            throw Error(ErrorCode::Io, path,
                        std::string("cannot lock the run folder: ") + std::strerror(err));
        throw held_by_another(out_dir, holder);
    }
    const std::string text = std::to_string(::getpid()) + "\n";
    struct flock written = byte_lock(kPidWrittenByte);
    if (::ftruncate(m_fd, 0) != 0 ||
        ::pwrite(m_fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
        ::fcntl(m_fd, F_OFD_SETLK, &written) != 0) {
        const std::string why = std::strerror(errno);
        ::close(m_fd);
        m_fd = -1;
        throw Error(ErrorCode::Io, path, "cannot write the trainer lock: " + why);
    }
}

TrainerLock::~TrainerLock() {
    if (m_fd < 0) return;
    [[maybe_unused]] const int rc = ::ftruncate(m_fd, 0);  // a stale pid in a free lock is ignored anyway
    ::close(m_fd);
}

#endif

bool trainer_running(const std::string& out_dir) {
    return held(out_dir, nullptr);
}

int64_t trainer_pid(const std::string& out_dir) {
    int64_t pid = 0;
    return held(out_dir, &pid) ? pid : 0;
}

bool stop_trainer(const std::string& out_dir) {
    const int64_t pid = trainer_pid(out_dir);
#ifdef _WIN32
    // No SIGTERM on Windows: the trainer polls for this file (stop_requested_by_file).
    if (pid <= 1) return false;
    std::ofstream f(fs::path(stop_path(out_dir)));
    return static_cast<bool>(f);
#else
    return pid > 1 && ::kill(static_cast<pid_t>(pid), SIGTERM) == 0;
#endif
}

bool stop_requested_by_file(const std::string& out_dir) {
    std::error_code ec;
    return fs::exists(stop_path(out_dir), ec);
}

}  // namespace atelier

#include "trainer_lock.h"

#include "common/error.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace atelier {

namespace {

std::string lock_path(const std::string& out_dir) {
    return (fs::path(out_dir) / "trainer.lock").string();
}

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
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(buf, &end, 10);
    if (errno != 0 || end == buf) return 0;
    return v > 1 && v <= INT_MAX ? static_cast<int64_t>(v) : 0;
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

}  // namespace

TrainerLock::TrainerLock(const std::string& out_dir) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    const std::string path = lock_path(out_dir);
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0)
        throw Error(ErrorCode::Io, path,
                    std::string("cannot create the trainer lock: ") + std::strerror(errno));
    struct flock fl = byte_lock(kRunningByte);
    if (::fcntl(m_fd, F_OFD_SETLK, &fl) != 0) {
        const int err = errno;
        const int64_t holder = written_pid(m_fd);
        ::close(m_fd);
        m_fd = -1;
        if (err != EAGAIN && err != EACCES)  // e.g. ENOLCK: a file system without locks
            throw Error(ErrorCode::Io, path,
                        std::string("cannot lock the run folder: ") + std::strerror(err));
        throw Error(ErrorCode::InvalidArgument, out_dir,
                    "another trainer" +
                        (holder ? " (process " + std::to_string(holder) + ")" : std::string()) +
                        " is training this run folder");
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

bool trainer_running(const std::string& out_dir) {
    return held(out_dir, nullptr);
}

int64_t trainer_pid(const std::string& out_dir) {
    int64_t pid = 0;
    return held(out_dir, &pid) ? pid : 0;
}

bool stop_trainer(const std::string& out_dir) {
    const int64_t pid = trainer_pid(out_dir);
    return pid > 1 && ::kill(static_cast<pid_t>(pid), SIGTERM) == 0;
}

}  // namespace atelier

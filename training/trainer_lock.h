// Which process trains a run folder now, asked of the kernel rather than guessed from a pid.
//
// A trainer holds an open-file-description lock (fcntl F_OFD_SETLK) on <out>/trainer.lock for as
// long as it trains and writes its pid into the file. The kernel drops the lock when the process
// dies, however it dies, so "the lock is held" means "a trainer of this folder is alive", and the
// pid in a held lock's file is that trainer's — never a pid reused after a crash, never another
// program that merely has "atelier" in its name, never a value from the database (a pid above
// INT_MAX there once became kill(-1, SIGTERM)). Torch-free: the studio's Runs and Train pages ask.
//
// macOS has no OFD locks: flock(2) locks, which also belong to the open file description, on
// trainer.lock (held while training) and trainer.pid.lock (held once the pid is written). Windows
// locks byte ranges of trainer.lock far past the pid text (its locks are mandatory: a locked byte
// cannot be read), and has no SIGTERM: stop_trainer leaves <out>/trainer.stop, which the trainer
// polls (stop_requested_by_file) and removes when it takes the lock.
//
//   atelier::TrainerLock lock(cfg.out);           // throws if another trainer holds the folder
//   atelier::trainer_pid("runs/persona");         // > 0 while that trainer lives
#pragma once

#include <cstdint>
#include <string>

namespace atelier {

class TrainerLock {
public:
    // Takes the folder's lock (creating the folder); Error(InvalidArgument) naming the folder and the
    // holder's pid when another trainer (in this process or another) holds it, Error(Io) when the
    // lock file cannot be created.
    explicit TrainerLock(const std::string& out_dir);
    ~TrainerLock();  // releases the lock (the kernel would at exit anyway)
    TrainerLock(const TrainerLock&) = delete;
    TrainerLock& operator=(const TrainerLock&) = delete;

private:
#ifdef _WIN32
    void* m_handle = nullptr;  // trainer.lock's HANDLE
    std::string m_stop_path;   // trainer.stop, removed when the lock is taken and released
#else
    int m_fd = -1;
#endif
#ifdef __APPLE__
    int m_pid_fd = -1;  // trainer.pid.lock, flock'ed once the pid is written
#endif
};

// True while some process holds `out_dir`'s trainer lock.
bool trainer_running(const std::string& out_dir);
// The pid of the process holding `out_dir`'s trainer lock: > 1 and <= INT_MAX, or 0 when the lock is
// free (or its holder has not written its pid yet). The only pid Atelier ever signals.
int64_t trainer_pid(const std::string& out_dir);
// Sends SIGTERM to the trainer holding `out_dir`'s lock (Windows: creates <out>/trainer.stop for it to
// find); false when none holds it.
bool stop_trainer(const std::string& out_dir);
// Whether <out>/trainer.stop exists: how stop_trainer asks a Windows trainer to stop. Only Windows
// trainers poll it; elsewhere SIGTERM alone stops them.
bool stop_requested_by_file(const std::string& out_dir);

}  // namespace atelier

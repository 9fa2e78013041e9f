// Which process trains a run folder now, asked of the kernel rather than guessed from a pid.
//
// A trainer holds an open-file-description lock (fcntl F_OFD_SETLK) on <out>/trainer.lock for as
// long as it trains and writes its pid into the file. The kernel drops the lock when the process
// dies, however it dies, so "the lock is held" means "a trainer of this folder is alive", and the
// pid in a held lock's file is that trainer's — never a pid reused after a crash, never another
// program that merely has "atelier" in its name, never a value from the database (a pid above
// INT_MAX there once became kill(-1, SIGTERM)). Torch-free: the studio's Runs and Train pages ask.
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
    int m_fd = -1;
};

// True while some process holds `out_dir`'s trainer lock.
bool trainer_running(const std::string& out_dir);
// The pid of the process holding `out_dir`'s trainer lock: > 1 and <= INT_MAX, or 0 when the lock is
// free (or its holder has not written its pid yet). The only pid Atelier ever signals.
int64_t trainer_pid(const std::string& out_dir);
// Sends SIGTERM to the trainer holding `out_dir`'s lock; false when none holds it.
bool stop_trainer(const std::string& out_dir);

}  // namespace atelier

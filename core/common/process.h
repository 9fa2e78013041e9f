// This process and others, and the folders Atelier keeps its data in, on Linux, macOS and Windows.
// No Qt here: the trainer and the CLI ask too, and must agree with the studio's QStandardPaths.
//
//   store.claim(run, atelier::current_pid());
//   if (atelier::process_alive(pid)) ...                         // never signals anything
//   std::string db = atelier::default_data_dir() + "/runs.db";   // where the studio keeps it
//
// Paths are UTF-8. Nothing here throws.
#pragma once

#include <cstdint>
#include <string>

namespace atelier {

// getpid() / GetCurrentProcessId().
int64_t current_pid();

// What can be learnt of process `pid` without signalling it.
struct ProcessStatus {
    // It exists and has not ended: a zombie (Linux, macOS) or an ended process whose object is still
    // held open (Windows) is gone; one this user may not query counts as alive.
    bool alive = false;
    // Whether `program` could be read (it cannot for another user's processes, say).
    bool program_known = false;
    // The file name of its program: argv[0]'s on Linux (/proc/<pid>/cmdline), the executable's on
    // macOS and Windows ("atelier-train", "atelier-train.exe"). May be empty even when known.
    std::string program;
};
ProcessStatus process_status(int64_t pid);
// process_status(pid).alive; false for pid <= 0.
bool process_alive(int64_t pid);

// QStandardPaths::AppDataLocation for organisation and application "Atelier":
//   Linux    $XDG_DATA_HOME/Atelier/Atelier, else ~/.local/share/Atelier/Atelier
//   macOS    ~/Library/Application Support/Atelier/Atelier
//   Windows  %APPDATA%\Atelier\Atelier (the roaming application data folder)
std::string default_data_dir();
// Atelier's cache folder (feature caches: safe to delete):
//   Linux    $XDG_CACHE_HOME/Atelier, else ~/.cache/Atelier
//   macOS    ~/Library/Caches/Atelier
//   Windows  %LOCALAPPDATA%\Atelier\cache
std::string default_cache_dir();

// Runs this process (and the threads it starts) below normal priority: nice +10 on Linux and macOS
// (on Linux also the SCHED_IDLE class, which a woken GUI thread preempts at once),
// BELOW_NORMAL_PRIORITY_CLASS on Windows. A background trainer then yields the cores to the studio's
// GUI thread when both want them, and still gets them all when the studio is idle. False when the
// system refused.
bool lower_process_priority();

// Runs the calling thread only on cores nothing else wants: SCHED_IDLE on Linux, the background
// band on macOS (PRIO_DARWIN_BG), THREAD_PRIORITY_IDLE on Windows. For work that may wait (a model's weights
// moving into the arena while it generates from the mapping). False when the system refused.
bool lower_thread_priority();

// On Windows, calls `handler` when the console asks the program to stop (Ctrl-C, Ctrl-Break), from a
// thread the system starts: it may only touch lock-free atomics. Elsewhere does nothing (POSIX
// programs use sigaction / std::signal).
void on_console_stop(void (*handler)());

}  // namespace atelier

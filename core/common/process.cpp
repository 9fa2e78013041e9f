#include "common/process.h"

#include "common/files.h"

#include <filesystem>

#ifdef _WIN32
#include "common/win32.h"
// after windows.h
#include <knownfolders.h>
#include <shlobj.h>

#include <atomic>
#ifdef _MSC_VER
// SHGetKnownFolderPath, CoTaskMemFree and the FOLDERID_ GUIDs (CMake links these by default; this
// keeps process.cpp linkable whatever the target's libraries).
#pragma comment(lib, "shell32.lib")
#pragma comment(lib, "ole32.lib")
#pragma comment(lib, "uuid.lib")
#endif
#else
#include <signal.h>
#include <sys/resource.h>
#if defined(__linux__)
#include <sched.h>
#endif
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#ifdef __APPLE__
#include <libproc.h>
#include <pwd.h>
#include <sys/proc_info.h>
#endif
#endif

namespace fs = std::filesystem;

namespace atelier {

namespace {

#ifdef _WIN32

// A known folder (as Qt finds it), else the environment variable that names it, else ".".
std::wstring known_folder(const KNOWNFOLDERID& id, const wchar_t* env) {
    std::wstring out;
    PWSTR path = nullptr;
    if (SUCCEEDED(::SHGetKnownFolderPath(id, 0, nullptr, &path)) && path) out = path;
    ::CoTaskMemFree(path);  // owed whether the call succeeded or not
    if (out.empty()) {
        const DWORD n = ::GetEnvironmentVariableW(env, nullptr, 0);  // counting the final NUL
        if (n > 1) {
            std::wstring v(n, L'\0');
            const DWORD got = ::GetEnvironmentVariableW(env, &v[0], n);
            if (got > 0 && got < n) out = v.substr(0, got);
        }
    }
    return out.empty() ? std::wstring(L".") : out;
}

std::atomic<void (*)()> g_console_stop{nullptr};

BOOL WINAPI console_stop(DWORD type) {
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT) return FALSE;  // close, logoff: the default
    if (void (*handler)() = g_console_stop.load()) handler();
    return TRUE;
}

#else

#ifdef __APPLE__
constexpr uint32_t kZombie = 5;  // SZOMB in <sys/proc.h>: ended, not yet reaped by its parent

// $HOME, else the password database's home of this user, else ".".
fs::path home_dir() {
    if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home);
    if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return fs::path(pw->pw_dir);
    return fs::path(".");
}
#endif

#endif

#if !defined(_WIN32) && !defined(__APPLE__)
// The XDG base folder in `var` when set, else $HOME/`under_home` (XDG's default), else ./`under_home`.
fs::path xdg_base(const char* var, const fs::path& under_home) {
    if (const char* xdg = std::getenv(var); xdg && *xdg) return fs::path(xdg);
    const char* home = std::getenv("HOME");
    return fs::path(home ? home : ".") / under_home;
}
#endif

}  // namespace

int64_t current_pid() {
#ifdef _WIN32
    return static_cast<int64_t>(::GetCurrentProcessId());
#else
    return static_cast<int64_t>(::getpid());
#endif
}

ProcessStatus process_status(int64_t pid) {
    ProcessStatus s;
#ifdef _WIN32
    if (pid <= 0 || pid > static_cast<int64_t>(MAXDWORD)) return s;
    HANDLE h = ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
    if (!h) {
        s.alive = ::GetLastError() == ERROR_ACCESS_DENIED;  // like EPERM: there, but not ours to ask
        return s;
    }
    // A process that ended lingers while someone holds a handle to it: its exit code tells.
    DWORD code = 0;
    s.alive = ::GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
    if (s.alive) {
        std::wstring path(32768, L'\0');
        DWORD size = static_cast<DWORD>(path.size());
        if (::QueryFullProcessImageNameW(h, 0, &path[0], &size)) {
            path.resize(size);
            s.program_known = true;
            s.program = path_to_utf8(fs::path(path).filename());
        }
    }
    ::CloseHandle(h);
#else
    if (pid <= 0 || pid > INT_MAX) return s;
    if (::kill(static_cast<pid_t>(pid), 0) != 0) {
        s.alive = errno == EPERM;
        return s;
    }
#ifdef __APPLE__
    // A zombie (killed child not yet reaped) counts as gone.
    proc_bsdinfo info{};
    if (::proc_pidinfo(static_cast<int>(pid), PROC_PIDTBSDINFO, 0, &info, static_cast<int>(sizeof info)) ==
            static_cast<int>(sizeof info) &&
        info.pbi_status == kZombie)
        return s;
    s.alive = true;
    char path[PROC_PIDPATHINFO_MAXSIZE] = {};
    if (::proc_pidpath(static_cast<int>(pid), path, static_cast<uint32_t>(sizeof path)) > 0) {
        s.program_known = true;
        s.program = fs::path(path).filename().string();
    }
#else
    // A zombie (killed child not yet reaped) counts as gone.
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%lld/stat", static_cast<long long>(pid));
    if (FILE* f = std::fopen(path, "r")) {
        char state = 0;
        const int n = std::fscanf(f, "%*d %*s %c", &state);
        std::fclose(f);
        if (n == 1 && state == 'Z') return s;
    }
    s.alive = true;
    std::snprintf(path, sizeof path, "/proc/%lld/cmdline", static_cast<long long>(pid));
    if (FILE* f = std::fopen(path, "r")) {
        char buf[4096];
        const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
        std::fclose(f);
        buf[n] = 0;  // argv[0] ends at the first NUL
        // Empty while the process is in execve (its old memory gone, the new not yet there; a
        // trainer re-executes itself once at start) or for a kernel thread: not known then.
        s.program_known = n > 0 && buf[0] != 0;
        if (s.program_known) s.program = fs::path(buf).filename().string();
    }
#endif
#endif
    return s;
}

bool process_alive(int64_t pid) {
    return process_status(pid).alive;
}

std::string default_data_dir() {
#ifdef _WIN32
    return path_to_utf8(fs::path(known_folder(FOLDERID_RoamingAppData, L"APPDATA")) / L"Atelier" /
                        L"Atelier");
#elif defined(__APPLE__)
    return (home_dir() / "Library" / "Application Support" / "Atelier" / "Atelier").string();
#else
    return (xdg_base("XDG_DATA_HOME", fs::path(".local") / "share") / "Atelier" / "Atelier").string();
#endif
}

std::string default_cache_dir() {
#ifdef _WIN32
    return path_to_utf8(fs::path(known_folder(FOLDERID_LocalAppData, L"LOCALAPPDATA")) / L"Atelier" /
                        L"cache");
#elif defined(__APPLE__)
    return (home_dir() / "Library" / "Caches" / "Atelier").string();
#else
    return (xdg_base("XDG_CACHE_HOME", ".cache") / "Atelier").string();
#endif
}

void on_console_stop(void (*handler)()) {
#ifdef _WIN32
    g_console_stop.store(handler);
    static const bool installed = ::SetConsoleCtrlHandler(console_stop, TRUE) != 0;  // once
    (void)installed;
#else
    (void)handler;
#endif
}

bool lower_process_priority() {
#ifdef _WIN32
    return ::SetPriorityClass(::GetCurrentProcess(), BELOW_NORMAL_PRIORITY_CLASS) != 0;
#else
    // PRIO_PROCESS covers the process's threads on macOS; on Linux a nice value is per thread, and
    // threads started afterwards (LibTorch's pool, OpenMP's) inherit the caller's.
    errno = 0;
    const int now = ::getpriority(PRIO_PROCESS, 0);
    if (errno != 0) return false;
    const bool niced = now >= 10 || ::setpriority(PRIO_PROCESS, 0, 10) == 0;
#if defined(__linux__)
    // SCHED_IDLE as well: a nice +10 thread still ran its time slice out before a woken GUI thread
    // got the core (GUI-thread stalls of 14-24 ms while a run trained on 2 cores); an idle-class
    // thread is preempted at once, and otherwise runs as before. Inherited by threads started later.
    sched_param param{};
    param.sched_priority = 0;
    return ::sched_setscheduler(0, SCHED_IDLE, &param) == 0 || niced;
#else
    return niced;
#endif
#endif
}

bool lower_thread_priority() {
#ifdef _WIN32
    return ::SetThreadPriority(::GetCurrentThread(), THREAD_PRIORITY_IDLE) != 0;
#elif defined(__linux__)
    sched_param param{};
    param.sched_priority = 0;
    return ::sched_setscheduler(0, SCHED_IDLE, &param) == 0;  // 0: the calling thread
#elif defined(__APPLE__)
    return ::setpriority(PRIO_DARWIN_THREAD, 0, PRIO_DARWIN_BG) == 0;  // this thread, background
#else
    return false;
#endif
}

}  // namespace atelier

#include "launcher.h"

#include "common/error.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#ifndef _WIN32
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <csignal>
#if defined(__linux__)
#include <sys/prctl.h>
#endif
extern char** environ;
#endif

namespace atelier {

namespace {

constexpr const char* kLauncherPid = "ATELIER_LAUNCHER_PID";

}  // namespace

std::vector<std::string> rank_command(int argc, char** argv) {
    std::vector<std::string> cmd(argv, argv + argc);
#if defined(__linux__)
    char path[4096];
    const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0 && !cmd.empty()) cmd[0].assign(path, static_cast<size_t>(n));
#endif
    return cmd;
}

int rank_from_env() {
    const char* r = std::getenv("RANK");
    return r ? std::atoi(r) : 0;
}

void end_with_launcher() {
#if defined(__linux__)
    const char* v = std::getenv(kLauncherPid);
    if (!v) return;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // The launcher may have ended before the call above: then this process has a new parent.
    if (std::to_string(getppid()) != v) _exit(1);
#endif
}

LocalRanks::~LocalRanks() {
    stop(5);
}

#ifndef _WIN32

void LocalRanks::start(const std::vector<std::string>& command, int world_size, int first_rank,
                       int local_world_size, const std::string& master_addr, int master_port,
                       int timeout_seconds) {
    for (int local = 1; local < local_world_size; ++local) {
        const int rank = first_rank + local;
        const std::vector<std::pair<std::string, std::string>> vars = {
            {"WORLD_SIZE", std::to_string(world_size)},
            {"RANK", std::to_string(rank)},
            {"LOCAL_RANK", std::to_string(local)},
            {"LOCAL_WORLD_SIZE", std::to_string(local_world_size)},
            {"MASTER_ADDR", master_addr},
            {"MASTER_PORT", std::to_string(master_port)},
            {"ATELIER_DIST_TIMEOUT", std::to_string(timeout_seconds)},
            {kLauncherPid, std::to_string(getpid())}};
        std::vector<std::string> env;
        for (char** e = environ; *e; ++e) {
            bool replaced = false;
            for (const auto& [k, v] : vars)
                if (std::strncmp(*e, k.c_str(), k.size()) == 0 && (*e)[k.size()] == '=') replaced = true;
            if (!replaced) env.emplace_back(*e);
        }
        for (const auto& [k, v] : vars) env.push_back(k + "=" + v);
        std::vector<char*> argv_p, env_p;
        for (const auto& a : command) argv_p.push_back(const_cast<char*>(a.c_str()));
        argv_p.push_back(nullptr);
        for (const auto& e : env) env_p.push_back(const_cast<char*>(e.c_str()));
        env_p.push_back(nullptr);
        pid_t pid = 0;
        const int rc = posix_spawn(&pid, argv_p[0], nullptr, nullptr, argv_p.data(), env_p.data());
        if (rc != 0)
            throw Error(ErrorCode::Distributed, command.empty() ? "" : command[0],
                        "cannot start training process " + std::to_string(rank) + ": " + std::strerror(rc));
        m_ranks.push_back({rank, static_cast<long>(pid), false, 0});
    }
}

void LocalRanks::reap(bool block) {
    for (Rank& r : m_ranks) {
        if (r.ended) continue;
        int status = 0;
        const pid_t got = waitpid(static_cast<pid_t>(r.pid), &status, block ? 0 : WNOHANG);
        if (got == static_cast<pid_t>(r.pid) || (got < 0 && errno == ECHILD)) {
            r.ended = true;
            r.status = got < 0 ? 0 : status;
        }
    }
}

std::string LocalRanks::failures() {
    reap(false);
    std::string out;
    for (const Rank& r : m_ranks) {
        if (!r.ended) continue;
        std::string how;
        if (WIFSIGNALED(r.status))
            how = "was killed by signal " + std::to_string(WTERMSIG(r.status));
        else if (WIFEXITED(r.status) && WEXITSTATUS(r.status) != 0)
            how = "exited with status " + std::to_string(WEXITSTATUS(r.status));
        if (how.empty()) continue;
        out += (out.empty() ? "" : "; ") + std::string("rank ") + std::to_string(r.rank) + " (process " +
               std::to_string(r.pid) + ") " + how;
    }
    return out;
}

bool LocalRanks::wait(double seconds) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
        reap(false);
        bool all = true;
        for (const Rank& r : m_ranks) all = all && r.ended;
        if (all) return true;
        if (std::chrono::steady_clock::now() >= until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void LocalRanks::stop(double grace_seconds) {
    reap(false);
    for (const Rank& r : m_ranks)
        if (!r.ended) kill(static_cast<pid_t>(r.pid), SIGTERM);
    if (!wait(grace_seconds)) {
        for (const Rank& r : m_ranks)
            if (!r.ended) kill(static_cast<pid_t>(r.pid), SIGKILL);
        reap(true);
    }
}

#else  // _WIN32: no Gloo in the Windows builds, so no local ranks either

void LocalRanks::start(const std::vector<std::string>& command, int, int, int, const std::string&, int, int) {
    throw Error(ErrorCode::Distributed, command.empty() ? "" : command[0],
                "several training processes are not available on Windows");
}
void LocalRanks::reap(bool) {}
std::string LocalRanks::failures() {
    return {};
}
bool LocalRanks::wait(double) {
    return true;
}
void LocalRanks::stop(double) {}

#endif

}  // namespace atelier

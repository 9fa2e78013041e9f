// Running atelier-train from a test as the studio does: a background process with its output in a
// log file. Linux/POSIX (posix_spawn).
#pragma once

#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdlib>
#include <string>
#include <vector>

extern char** environ;

namespace atelier::test {

// $ATELIER_TRAIN: the trainer under test (set by CTest).
inline std::string trainer() {
    const char* p = std::getenv("ATELIER_TRAIN");
    if (!p) ADD_FAILURE() << "ATELIER_TRAIN is not set";
    return p ? p : "";
}

// Starts args[0] with stdout and stderr appended to `log`.
inline pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    pid_t pid = 0;
    EXPECT_EQ(posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

// The exit status, or minus the signal that ended it.
inline int wait_exit(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

}  // namespace atelier::test

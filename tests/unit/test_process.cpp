// core/common/process: the background trainer's priority.
#include "common/process.h"

#include <gtest/gtest.h>

#if defined(__linux__)
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

// In a child process (the test runner's own priority stays as it is): the caller and the threads it
// starts afterwards run in the idle class at nice >= 10, as atelier-train does before its pools start.
TEST(Process, LowerPriorityPutsTheProcessAndItsLaterThreadsInTheIdleClass) {
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (!atelier::lower_process_priority()) _exit(1);
        if (sched_getscheduler(0) != SCHED_IDLE) _exit(2);
        errno = 0;
        if (getpriority(PRIO_PROCESS, 0) < 10 || errno != 0) _exit(3);
        int thread_policy = -1;
        std::thread([&] { thread_policy = sched_getscheduler(0); }).join();
        _exit(thread_policy == SCHED_IDLE ? 0 : 4);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0)
        << "1: refused, 2: not SCHED_IDLE, 3: not niced, 4: a later thread not idle";
}
#endif

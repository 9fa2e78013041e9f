// Starts and watches the other training processes of a data-parallel run on this machine, as
// torchrun's agent does: copies of this program, each told its place by torchrun's variables.
// The launching process is local rank 0 itself (it keeps the studio's pipe, pid and trainer lock).
//
//   atelier::LocalRanks ranks;
//   ranks.start(atelier::rank_command(argc, argv), world_size, first_rank, local_world, "127.0.0.1", port,
//   300);
//   ...                                   // train; a collective fails when one of them dies
//   std::string why = ranks.failures();   // "rank 1 (process 4242) was killed by signal 9"
//   ranks.wait(60);                       // at the end; the destructor stops what is left
//
// POSIX only (posix_spawn); elsewhere start() throws Error(Distributed). No LibTorch here.
#pragma once

#include <string>
#include <vector>

namespace atelier {

// Whether this build trains with several processes (LibTorch's c10d with Gloo; false: a group of
// more than one is refused with Error(Distributed)). Defined in distributed.cpp; torch-free here for
// the studio's forms.
bool distributed_available();

// The command that runs this program again with the same arguments: argv with argv[0] replaced by
// this executable's path (/proc/self/exe on Linux).
std::vector<std::string> rank_command(int argc, char** argv);

// This process's rank in a data-parallel run, from torchrun's RANK (0 when unset or not a number):
// the programs let only rank 0 print.
int rank_from_env();

// In a process LocalRanks started: ends it when the launching process ends, whatever the way
// (Linux: the parent-death signal; elsewhere a no-op). Does nothing outside a launched rank.
void end_with_launcher();

class LocalRanks {
public:
    LocalRanks() = default;
    ~LocalRanks();  // stop(5)
    LocalRanks(const LocalRanks&) = delete;
    LocalRanks& operator=(const LocalRanks&) = delete;

    // Starts local ranks 1 … local_world_size-1 (global ranks first_rank+1 …) running `command`,
    // with WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT and
    // ATELIER_DIST_TIMEOUT set. Throws Error(Distributed) when one cannot be started.
    void start(const std::vector<std::string>& command, int world_size, int first_rank, int local_world_size,
               const std::string& master_addr, int master_port, int timeout_seconds);

    // How each started process that has ended did ("rank 2 (process 812) exited with status 1");
    // "" while they all run or when all ended with status 0.
    std::string failures();
    // Waits up to `seconds` for every process to end; true when they all have.
    bool wait(double seconds);
    // SIGTERM to those still running, SIGKILL after `grace_seconds`; all reaped.
    void stop(double grace_seconds);

    int count() const { return static_cast<int>(m_ranks.size()); }

private:
    struct Rank {
        int rank = 0;
        long pid = 0;
        bool ended = false;
        int status = 0;  // raw wait status once ended
    };
    void reap(bool block);
    std::vector<Rank> m_ranks;
};

}  // namespace atelier

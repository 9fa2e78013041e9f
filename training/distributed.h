// Data-parallel training on LibTorch's own collectives (c10d): a TCP store for the rendezvous and
// ProcessGroupGloo for the all-reduces on CPU — the engine torchrun and DDP use, not a protocol of
// ours. Training code only (LibTorch).
//
//   atelier::DistributedOptions o = atelier::distributed_from_env().value();   // torchrun's variables
//   auto group = atelier::ProcessGroup::connect(o);    // every rank; blocks until all have joined
//   group->allreduce_sum(grads);                        // in place, bucketed
//   if (group->rank() == 0) save();                     // rank 0 writes
//
// A rank that dies breaks its peers' next collective at once (their sockets close); one that hangs
// breaks it after `timeout_seconds`. Either way the collective throws Error(Distributed) naming what
// was waited for, never hangs for ever. Builds without c10d (Windows, LibTorch without
// USE_DISTRIBUTED) say so when a group of more than one process is asked for.
#pragma once

#include "launcher.h"  // distributed_available()

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace atelier {

struct DistributedOptions {
    int world_size = 1;        // processes in the run (all machines)
    int rank = 0;              // this process, 0 … world_size-1; rank 0 hosts the store and writes
    int local_rank = 0;        // on this machine
    int local_world_size = 1;  // processes on this machine (threads are shared among them)
    std::string master_addr = "127.0.0.1";
    int master_port = 0;  // rank 0's store; 0 = any free port (one machine only: the launcher passes it on)
    double timeout_seconds = 300;  // a collective (or the rendezvous) waiting longer fails the run

    // world_size ≥ 1, 0 ≤ rank < world_size, ports in range; throws Error(BadConfig) naming the value.
    void validate() const;
    // The rendezvous goes over the loopback interface (every rank on one machine).
    bool local_only() const;
};

// torchrun's variables: WORLD_SIZE, RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT
// (and ATELIER_DIST_TIMEOUT, seconds). nullopt when WORLD_SIZE is not set; Error(BadConfig) when a
// value is malformed or one the others need is missing.
std::optional<DistributedOptions> distributed_from_env();

class ProcessGroup {
public:
    // Joins the run: rank 0 starts the store at master_addr:master_port (`on_listening` is then
    // called with the port actually bound, before waiting for the others: the place to start them),
    // every rank connects to it and the Gloo group forms. Throws Error(Distributed) when the others
    // do not join within the timeout or the address cannot be used.
    static std::unique_ptr<ProcessGroup> connect(const DistributedOptions& options,
                                                 const std::function<void(int port)>& on_listening = {});
    ~ProcessGroup();

    int rank() const;
    int size() const;
    const DistributedOptions& options() const;

    // Sums each tensor over all ranks, in place (float32 or float64, CPU, contiguous or not). The
    // tensors travel in buckets of up to 25 MiB, each one all-reduce.
    void allreduce_sum(const std::vector<torch::Tensor>& tensors);
    // Rank 0's values into every rank's tensors, in place (as DDP does with the parameters at its
    // start: every rank trains the same model even if something made their copies differ).
    void broadcast_from_rank0(const std::vector<torch::Tensor>& tensors);
    double allreduce_sum(double value);
    int64_t allreduce_sum(int64_t value);
    int64_t allreduce_max(int64_t value);
    // One value for every rank, from each: [size()] (per-rank figures for rank 0 to record).
    std::vector<double> allgather(double value);
    // Rank 0's `value` on every rank (others pass anything), through the store.
    std::string share(const std::string& key, const std::string& value);

    // Seconds spent in collectives since the last call (all-reduce time per step).
    double take_comm_seconds();

private:
    struct Impl;
    explicit ProcessGroup(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m;
};

}  // namespace atelier

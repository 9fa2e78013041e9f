#include "distributed.h"

#include "common/error.h"

#include <chrono>
#include <cstdlib>
#include <type_traits>

#if ATELIER_WITH_C10D
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif

namespace atelier {

namespace {

using Clock = std::chrono::steady_clock;

int env_int(const char* name, int fallback, int lo, int hi) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    const long x = std::strtol(v, &end, 10);
    if (*end || x < lo || x > hi)
        throw Error(ErrorCode::BadConfig, name,
                    std::string("'") + v + "' is not a whole number from " + std::to_string(lo) + " to " +
                        std::to_string(hi));
    return static_cast<int>(x);
}

#if ATELIER_WITH_C10D
// c10::Error's what() carries a C++ backtrace: the first line is the message.
std::string short_message(const std::exception& e) {
    std::string s;
    if (const auto* ce = dynamic_cast<const c10::Error*>(&e))
        s = ce->what_without_backtrace();
    else
        s = e.what();
    const size_t nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
}
#endif

}  // namespace

void DistributedOptions::validate() const {
    if (world_size < 1) throw Error(ErrorCode::BadConfig, "world_size", "must be at least 1");
    if (rank < 0 || rank >= world_size)
        throw Error(ErrorCode::BadConfig, "rank",
                    std::to_string(rank) + " is not between 0 and " + std::to_string(world_size - 1));
    if (local_world_size < 1 || local_world_size > world_size)
        throw Error(ErrorCode::BadConfig, "local_world_size",
                    std::to_string(local_world_size) + " is not between 1 and " + std::to_string(world_size));
    if (local_rank < 0 || local_rank >= local_world_size)
        throw Error(ErrorCode::BadConfig, "local_rank",
                    std::to_string(local_rank) + " is not below the local world size " +
                        std::to_string(local_world_size));
    if (master_port < 0 || master_port > 65535)
        throw Error(ErrorCode::BadConfig, "master_port", std::to_string(master_port) + " is not a TCP port");
    if (master_port == 0 && !local_only())
        throw Error(ErrorCode::BadConfig, "master_port", "several machines need a fixed port on the first");
    if (master_addr.empty()) throw Error(ErrorCode::BadConfig, "master_addr", "is empty");
    if (!(timeout_seconds > 0)) throw Error(ErrorCode::BadConfig, "timeout", "must be positive");
}

bool DistributedOptions::local_only() const {
    return local_world_size == world_size &&
           (master_addr == "127.0.0.1" || master_addr == "localhost" || master_addr == "::1");
}

std::optional<DistributedOptions> distributed_from_env() {
    const char* ws = std::getenv("WORLD_SIZE");
    if (!ws || !*ws) return std::nullopt;
    DistributedOptions o;
    o.world_size = env_int("WORLD_SIZE", 1, 1, 65536);
    for (const char* needed : {"RANK", "MASTER_PORT"})
        if (o.world_size > 1 && !std::getenv(needed))
            throw Error(ErrorCode::BadConfig, needed,
                        "not set, but WORLD_SIZE is (a data-parallel process needs RANK and MASTER_PORT, and "
                        "MASTER_ADDR across machines)");
    o.rank = env_int("RANK", 0, 0, o.world_size - 1);
    o.local_world_size = env_int("LOCAL_WORLD_SIZE", o.world_size, 1, o.world_size);
    o.local_rank = env_int("LOCAL_RANK", o.rank % o.local_world_size, 0, o.local_world_size - 1);
    if (const char* a = std::getenv("MASTER_ADDR"); a && *a) o.master_addr = a;
    o.master_port = env_int("MASTER_PORT", 0, 0, 65535);
    o.timeout_seconds = env_int("ATELIER_DIST_TIMEOUT", 300, 1, 24 * 3600);
    o.validate();
    return o;
}

#if ATELIER_WITH_C10D

bool distributed_available() {
    return true;
}

struct ProcessGroup::Impl {
    DistributedOptions options;
    c10::intrusive_ptr<c10d::TCPStore> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
    double comm_seconds = 0;

    // Runs a collective; any failure becomes Error(Distributed) saying what was waited for.
    template <typename F>
    void collective(const char* what, F&& f) {
        const auto t0 = Clock::now();
        try {
            f();
        } catch (const std::exception& e) {
            throw Error(ErrorCode::Distributed, "rank " + std::to_string(options.rank),
                        std::string(what) +
                            " failed: another training process stopped or did not answer within " +
                            std::to_string(static_cast<int>(options.timeout_seconds)) + " s (" +
                            short_message(e) + ")");
        }
        comm_seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    }

    void run(std::vector<at::Tensor>& t, c10d::ReduceOp op) {
        c10d::AllreduceOptions o;
        o.reduceOp = op;
        group->allreduce(t, o)->wait();
    }

    // One number reduced over the ranks.
    template <typename T>
    T reduce(T value, c10d::ReduceOp op, const char* what) {
        std::vector<at::Tensor> t{
            torch::full({1}, value, std::is_floating_point_v<T> ? torch::kFloat64 : torch::kInt64)};
        collective(what, [&] { run(t, op); });
        return t[0].item<T>();
    }
};

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl) : m(std::move(impl)) {}
ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::connect(const DistributedOptions& options,
                                                    const std::function<void(int)>& on_listening) {
    options.validate();
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(options.timeout_seconds * 1000));
    const std::string where = options.master_addr + ":" + std::to_string(options.master_port);
    try {
        c10d::TCPStoreOptions so;
        so.port = static_cast<uint16_t>(options.master_port);
        so.isServer = options.rank == 0;
        so.numWorkers = static_cast<size_t>(options.world_size);
        so.waitWorkers = false;  // the others may not have been started yet (on_listening starts them)
        so.timeout = timeout;
        impl->store = c10::make_intrusive<c10d::TCPStore>(options.master_addr, so);
    } catch (const std::exception& e) {
        throw Error(ErrorCode::Distributed, where,
                    options.rank == 0
                        ? "cannot listen for the other training processes (" + short_message(e) + ")"
                        : "cannot reach the first training process (" + short_message(e) + ")");
    }
    impl->options.master_port = impl->store->getPort();
    if (options.rank == 0 && on_listening) on_listening(impl->options.master_port);
    try {
        auto go = c10d::ProcessGroupGloo::Options::create(timeout);
        // One machine: the loopback interface. Several: GLOO_SOCKET_IFNAME names the interface (as
        // with torchrun), else the address this machine's host name resolves to.
        if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
            go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
        else if (options.local_only())
            go->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        else
            go->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        impl->group =
            c10::make_intrusive<c10d::ProcessGroupGloo>(impl->store, options.rank, options.world_size, go);
    } catch (const std::exception& e) {
        throw Error(
            ErrorCode::Distributed, where,
            "the " + std::to_string(options.world_size) + " training processes did not all join within " +
                std::to_string(static_cast<int>(options.timeout_seconds)) + " s (" + short_message(e) + ")");
    }
    return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

int ProcessGroup::rank() const {
    return m->options.rank;
}
int ProcessGroup::size() const {
    return m->options.world_size;
}
const DistributedOptions& ProcessGroup::options() const {
    return m->options;
}

namespace {

// Calls `run` on buckets of one dtype up to 25 MiB (DDP's default bucket size: few, large messages),
// each flattened into one tensor, and copies the result back into the tensors.
void in_buckets(const std::vector<torch::Tensor>& tensors,
                const std::function<void(std::vector<at::Tensor>&)>& run) {
    constexpr int64_t kBucketBytes = 25 << 20;
    std::vector<torch::Tensor> pending;
    int64_t bytes = 0;
    auto flush = [&] {
        if (pending.empty()) return;
        std::vector<torch::Tensor> parts;
        for (const auto& t : pending) parts.push_back(t.reshape({-1}));
        std::vector<at::Tensor> flat{torch::cat(parts)};
        run(flat);
        int64_t offset = 0;
        for (const auto& t : pending) {
            t.copy_(flat[0].narrow(0, offset, t.numel()).view(t.sizes()));
            offset += t.numel();
        }
        pending.clear();
        bytes = 0;
    };
    for (const auto& t : tensors) {
        if (!t.defined() || t.numel() == 0) continue;
        TORCH_CHECK(t.device().is_cpu(), "collectives: CPU tensors only");
        if (!pending.empty() && (pending.front().scalar_type() != t.scalar_type() ||
                                 bytes + static_cast<int64_t>(t.nbytes()) > kBucketBytes))
            flush();
        pending.push_back(t);
        bytes += static_cast<int64_t>(t.nbytes());
    }
    flush();
}

}  // namespace

void ProcessGroup::allreduce_sum(const std::vector<torch::Tensor>& tensors) {
    in_buckets(tensors, [&](std::vector<at::Tensor>& flat) {
        m->collective("summing gradients", [&] { m->run(flat, c10d::ReduceOp::SUM); });
    });
}

void ProcessGroup::broadcast_from_rank0(const std::vector<torch::Tensor>& tensors) {
    torch::NoGradGuard no_grad;
    in_buckets(tensors, [&](std::vector<at::Tensor>& flat) {
        m->collective("sharing the parameters", [&] {
            c10d::BroadcastOptions o;
            o.rootRank = 0;
            m->group->broadcast(flat, o)->wait();
        });
    });
}

double ProcessGroup::allreduce_sum(double value) {
    return m->reduce(value, c10d::ReduceOp::SUM, "summing a figure");
}

int64_t ProcessGroup::allreduce_sum(int64_t value) {
    return m->reduce(value, c10d::ReduceOp::SUM, "summing a count");
}

int64_t ProcessGroup::allreduce_max(int64_t value) {
    return m->reduce(value, c10d::ReduceOp::MAX, "agreeing on a value");
}

std::vector<double> ProcessGroup::allgather(double value) {
    std::vector<at::Tensor> in{torch::full({1}, value, torch::kFloat64)};
    std::vector<std::vector<at::Tensor>> out(1);
    for (int r = 0; r < size(); ++r) out[0].push_back(torch::empty({1}, torch::kFloat64));
    m->collective("gathering figures", [&] { m->group->allgather(out, in)->wait(); });
    std::vector<double> values;
    for (const auto& t : out[0]) values.push_back(t.item<double>());
    return values;
}

std::string ProcessGroup::share(const std::string& key, const std::string& value) {
    std::string result;
    m->collective("sharing a setting", [&] {
        const std::string k = "atelier/" + key;
        if (rank() == 0) {
            m->store->set(k, std::vector<uint8_t>(value.begin(), value.end()));
            result = value;
        } else {
            const std::vector<uint8_t> v = m->store->get(k);
            result.assign(v.begin(), v.end());
        }
    });
    return result;
}

double ProcessGroup::take_comm_seconds() {
    const double s = m->comm_seconds;
    m->comm_seconds = 0;
    return s;
}

#else  // no c10d in this LibTorch or build

bool distributed_available() {
    return false;
}

struct ProcessGroup::Impl {
    DistributedOptions options;
};

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl) : m(std::move(impl)) {}
ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::connect(const DistributedOptions& options,
                                                    const std::function<void(int)>&) {
    options.validate();
    if (options.world_size > 1)
        throw Error(ErrorCode::Distributed, "build",
                    "this build of Atelier has no distributed training (LibTorch without c10d/Gloo)");
    auto impl = std::make_unique<Impl>();
    impl->options = options;
    return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}
int ProcessGroup::rank() const {
    return 0;
}
int ProcessGroup::size() const {
    return 1;
}
const DistributedOptions& ProcessGroup::options() const {
    return m->options;
}
void ProcessGroup::allreduce_sum(const std::vector<torch::Tensor>&) {}
void ProcessGroup::broadcast_from_rank0(const std::vector<torch::Tensor>&) {}
double ProcessGroup::allreduce_sum(double value) {
    return value;
}
int64_t ProcessGroup::allreduce_sum(int64_t value) {
    return value;
}
int64_t ProcessGroup::allreduce_max(int64_t value) {
    return value;
}
std::vector<double> ProcessGroup::allgather(double value) {
    return {value};
}
std::string ProcessGroup::share(const std::string&, const std::string& value) {
    return value;
}
double ProcessGroup::take_comm_seconds() {
    return 0;
}

#endif

}  // namespace atelier

// Data-parallel training as users run it: `atelier-train --nproc 2` on stories260K, two processes
// on LibTorch's c10d with Gloo over the loopback. Two ranks must follow the one-process curve of the
// same (whole-run) batch, dropout included; a rank that dies or hangs ends the run on the other
// within the timeout, with the reason in the store and no process left behind; a run stopped with
// SIGTERM resumes with two processes or one and continues the same curve; two "machines" (--nnodes)
// and processes started with torchrun's variables do too.
#include "distributed.h"
#include "finetune_recipe.h"
#include "recipe_common.h"
#include "run_store.h"
#include "test_util.h"
#include "trainer_spawn.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

using namespace atelier;
using atelier::test::fixture;
using atelier::test::make_temp_dir;
using atelier::test::read_file;
using atelier::test::spawn;
using atelier::test::trainer;
using atelier::test::wait_exit;
using atelier::test::write_file;
using Clock = std::chrono::steady_clock;

namespace {

int run(const std::vector<std::string>& args, const std::string& log) {
    return wait_exit(spawn(args, log));
}

// The processes whose parent is `parent` (from /proc/<pid>/stat).
std::vector<pid_t> children_of(pid_t parent) {
    std::vector<pid_t> out;
    DIR* d = opendir("/proc");
    if (!d) return out;
    while (dirent* e = readdir(d)) {
        const pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
        if (pid <= 0) continue;
        std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
        std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        const size_t close = stat.rfind(')');
        if (close == std::string::npos) continue;
        char state = 0;
        int ppid = 0;
        if (std::sscanf(stat.c_str() + close + 1, " %c %d", &state, &ppid) == 2 && ppid == parent)
            out.push_back(pid);
    }
    closedir(d);
    return out;
}

// A free TCP port on the loopback (bound, read and released: the trainer binds it a moment later).
int free_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
        ADD_FAILURE() << "no free port";
    close(fd);
    return ntohs(a.sin_port);
}

bool alive(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    const size_t close = stat.rfind(')');
    return close != std::string::npos && stat[close + 2] != 'Z';
}

bool wait_for_step(const std::string& store, int64_t run, int64_t step) {
    for (int i = 0; i < 1200; ++i) {
        if (RunStore(store).run(run).step >= step) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

std::vector<double> losses(const std::string& store, int64_t run) {
    std::vector<double> out;
    for (const MetricPoint& p : RunStore(store).metrics(run, "loss")) out.push_back(p.value);
    return out;
}

void expect_same_curve(const std::vector<double>& got, const std::vector<double>& want, const char* what) {
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < want.size(); ++i)
        EXPECT_NEAR(got[i], want[i], 1e-4 * std::abs(want[i])) << what << ", step " << i + 1;
}

// A LoRA run of stories260K with dropout 0.1 on 72 distinct examples (65 trained, 7 held out);
// batch 5 of the whole run (with two processes, two rows and three), two micro-batches per step:
// 13 micro-batches, 7 steps per epoch (the last of one micro-batch); two epochs, 14 steps.
TrainConfig dp_run(const std::string& dir, const std::string& name, int64_t max_steps = 0) {
    std::string data = "[\n";
    for (int i = 0; i < 72; ++i)
        data += "{\"instruction\": \"Count to " + std::to_string(i) + " and tell me about the " +
                (i % 3 ? "cat" : "big dog") + ".\", \"output\": \"The cat is " + std::to_string(i) +
                std::string(i % 2 ? " years old and likes the sun." : " and it likes the big red ball.") +
                "\"}" + (i + 1 < 72 ? ",\n" : "\n");
    write_file(dir + "/data.json", data + "]\n");
    TrainConfig c;
    c.model = fixture("stories260K/hf");
    c.data = dir + "/data.json";
    c.out = dir + "/" + name;
    c.batch_size = 5;
    c.grad_accum = 2;
    c.epochs = 2;
    c.max_steps = max_steps;
    c.save_every = 2;
    c.eval_fraction = 0.1;
    c.lr = 3e-3;
    c.threads = 1;
    c.adapter.method = "lora";
    c.adapter.lora_rank = 8;
    c.adapter.lora_alpha = 16;
    c.adapter.lora_dropout = 0.1;
    write_file(dir + "/" + name + ".json", c.to_json());
    return c;
}

}  // namespace

TEST(Distributed, RankSharesCoverEveryRowOnce) {
    // Without a group: the whole range. (With one, the shares are checked by the runs below.)
    const RankShare all = rank_share(12, 18, nullptr);
    EXPECT_EQ(all.begin, 12u);
    EXPECT_EQ(all.end, 18u);
    EXPECT_EQ(all.first_row, 0);
    EXPECT_NE(micro_batch_seed(42, 0, 0), micro_batch_seed(42, 0, 1));
    EXPECT_NE(micro_batch_seed(42, 0, 1), micro_batch_seed(42, 1, 0));
    EXPECT_EQ(micro_batch_seed(42, 3, 5), micro_batch_seed(42, 3, 5));
}

TEST(Distributed, TwoProcessesFollowTheOneProcessCurve) {
    if (!distributed_available()) GTEST_SKIP() << "built without c10d/Gloo";
    const std::string dir = make_temp_dir("dp-curve");
    dp_run(dir, "one");
    dp_run(dir, "two");
    const std::string store = dir + "/runs.db", log = dir + "/log.jsonl";
    ASSERT_EQ(run({trainer(), "--config", dir + "/one.json", "--store", store}, log), 0) << read_file(log);
    ASSERT_EQ(run({trainer(), "--config", dir + "/two.json", "--store", store, "--nproc", "2"}, log), 0)
        << read_file(log);

    RunStore s(store);
    EXPECT_EQ(s.run(1).world_size, 1);
    EXPECT_EQ(s.run(2).world_size, 2);
    EXPECT_EQ(s.run(2).status, RunStatus::Finished);
    const std::vector<double> one = losses(store, 1), two = losses(store, 2);
    ASSERT_EQ(one.size(), 14u);
    expect_same_curve(two, one, "two processes against one");
    const auto eval1 = s.metrics(1, "eval_loss"), eval2 = s.metrics(2, "eval_loss");
    ASSERT_EQ(eval1.size(), eval2.size());
    ASSERT_FALSE(eval1.empty());
    for (size_t i = 0; i < eval1.size(); ++i)
        EXPECT_NEAR(eval2[i].value, eval1[i].value, 1e-4 * eval1[i].value);
    // Each rank's own rate and the step's time in collectives are recorded.
    EXPECT_EQ(s.metrics(2, "rank0_tokens_per_second").size(), 14u);
    EXPECT_EQ(s.metrics(2, "rank1_tokens_per_second").size(), 14u);
    EXPECT_EQ(s.metrics(2, "allreduce_seconds").size(), 14u);
    for (const MetricPoint& p : s.metrics(2, "rank1_tokens_per_second")) EXPECT_GT(p.value, 0);
    // Rank 0 alone wrote the adapter; its output on stdout is one result line, not two.
    EXPECT_TRUE(std::filesystem::exists(dir + "/two/adapter/adapter_model.safetensors"));
    const std::string out = read_file(log);
    size_t results = 0;
    for (size_t at = out.find("\"type\":\"result\""); at != std::string::npos;
         at = out.find("\"type\":\"result\"", at + 1))
        ++results;
    EXPECT_EQ(results, 2u) << "one per run";
}

TEST(Distributed, LlamaAdapterV2FollowsTheOneProcessCurveToo) {
    if (!distributed_available()) GTEST_SKIP() << "built without c10d/Gloo";
    const std::string dir = make_temp_dir("dp-v2");
    for (const char* name : {"one", "two"}) {
        TrainConfig c = dp_run(dir, name, 8);
        c.adapter.method = "llama-adapter-v2";  // prompt tokens, gates, bias and scale, trainable norms
        c.adapter.adapter_len = 4;
        c.adapter.adapter_layer = 2;
        c.lr = 9e-3;
        c.weight_decay = 0.02;
        write_file(dir + "/" + name + ".json", c.to_json());
    }
    const std::string store = dir + "/runs.db", log = dir + "/log.jsonl";
    ASSERT_EQ(run({trainer(), "--config", dir + "/one.json", "--store", store}, log), 0) << read_file(log);
    ASSERT_EQ(run({trainer(), "--config", dir + "/two.json", "--store", store, "--nproc", "2"}, log), 0)
        << read_file(log);
    const std::vector<double> one = losses(store, 1);
    ASSERT_EQ(one.size(), 8u);
    expect_same_curve(losses(store, 2), one, "LLaMA-Adapter V2, two processes against one");
}

TEST(Distributed, AKilledRankEndsTheRunAndNoProcessIsLeft) {
    if (!distributed_available()) GTEST_SKIP() << "built without c10d/Gloo";
    const std::string dir = make_temp_dir("dp-kill");
    dp_run(dir, "run", 400);
    // Many more steps than the test waits for: 400 steps over the 72 examples' epochs.
    TrainConfig c = TrainConfig::from_json(read_file(dir + "/run.json"), "run.json");
    c.epochs = 100;
    write_file(dir + "/run.json", c.to_json());
    const std::string store = dir + "/runs.db", log = dir + "/log.jsonl";
    for (const bool hang : {false, true}) {
        const int64_t id = hang ? 2 : 1;
        const pid_t pid = spawn({trainer(), "--config", dir + "/run.json", "--store", store, "--nproc", "2",
                                 "--dist-timeout", "5", "--no-resume"},
                                log);
        ASSERT_TRUE(wait_for_step(store, id, 2)) << read_file(log);
        const std::vector<pid_t> kids = children_of(pid);
        ASSERT_EQ(kids.size(), 1u) << "the launcher runs one other rank";
        const auto t0 = Clock::now();
        ::kill(kids[0], hang ? SIGSTOP : SIGKILL);  // a hung rank, or a dead one
        EXPECT_EQ(wait_exit(pid), 1) << read_file(log);
        const double took = std::chrono::duration<double>(Clock::now() - t0).count();
        EXPECT_LT(took, hang ? 5 + 10 : 5) << "the run ends within the timeout";
        const RunRecord r = RunStore(store).run(id);
        EXPECT_EQ(r.status, RunStatus::Failed);
        EXPECT_NE(r.error.find(hang ? "did not answer" : "rank 1"), std::string::npos) << r.error;
        if (!hang) EXPECT_NE(r.error.find("killed by signal 9"), std::string::npos) << r.error;
        EXPECT_FALSE(alive(kids[0])) << "no training process is left behind";
        if (alive(kids[0])) ::kill(kids[0], SIGKILL);
    }
}

TEST(Distributed, SigtermStopsEveryRankAndResumesWithTwoOrOneProcess) {
    if (!distributed_available()) GTEST_SKIP() << "built without c10d/Gloo";
    const std::string dir = make_temp_dir("dp-resume");
    dp_run(dir, "ref");
    dp_run(dir, "a");
    dp_run(dir, "b");
    const std::string store = dir + "/runs.db", log = dir + "/log.jsonl";
    ASSERT_EQ(run({trainer(), "--config", dir + "/ref.json", "--store", store}, log), 0) << read_file(log);
    const std::vector<double> ref = losses(store, 1);
    ASSERT_EQ(ref.size(), 14u);
    // Run 2 resumes with two processes, run 3 with one.
    for (const int64_t id : {2, 3}) {
        const std::string cfg = dir + (id == 2 ? "/a.json" : "/b.json");
        const pid_t pid = spawn({trainer(), "--config", cfg, "--store", store, "--nproc", "2"}, log);
        ASSERT_TRUE(wait_for_step(store, id, 3)) << read_file(log);
        ::kill(pid, SIGTERM);
        EXPECT_EQ(wait_exit(pid), 0) << read_file(log);
        RunRecord r = RunStore(store).run(id);
        ASSERT_EQ(r.status, RunStatus::Stopped) << read_file(log);
        ASSERT_LT(r.step, 14) << "stopped before the end";
        const std::string nproc = id == 2 ? "2" : "1";
        ASSERT_EQ(run({trainer(), "--run-id", std::to_string(id), "--store", store, "--nproc", nproc}, log),
                  0)
            << read_file(log);
        r = RunStore(store).run(id);
        EXPECT_EQ(r.status, RunStatus::Finished);
        EXPECT_EQ(r.world_size, id == 2 ? 2 : 1);
        expect_same_curve(losses(store, id), ref, id == 2 ? "resumed with two" : "resumed with one");
    }
}

TEST(Distributed, TwoMachinesAndTorchrunsVariablesFollowTheOneProcessCurve) {
    if (!distributed_available()) GTEST_SKIP() << "built without c10d/Gloo";
    const std::string dir = make_temp_dir("dp-nodes");
    for (const char* name : {"one", "nodes", "env"}) dp_run(dir, name, 6);
    const std::string store = dir + "/runs.db", log = dir + "/log.txt";
    ASSERT_EQ(run({trainer(), "--config", dir + "/one.json", "--store", store}, log), 0) << read_file(log);
    const std::vector<double> one = losses(store, 1);
    ASSERT_EQ(one.size(), 6u);

    // Two "machines" of one process each, started as on two computers (the first's address and a
    // fixed port); Gloo on the interface GLOO_SOCKET_IFNAME names, as with PyTorch.
    setenv("GLOO_SOCKET_IFNAME", "lo", 1);
    std::string port = std::to_string(free_port());
    std::vector<pid_t> pids;
    for (const char* node : {"0", "1"})
        pids.push_back(spawn({trainer(), "--config", dir + "/nodes.json", "--store", store, "--nproc", "1",
                              "--nnodes", "2", "--node-rank", node, "--master-addr", "127.0.0.1",
                              "--master-port", port, "--dist-timeout", "60"},
                             log));
    for (pid_t p : pids) EXPECT_EQ(wait_exit(p), 0) << read_file(log);
    unsetenv("GLOO_SOCKET_IFNAME");
    EXPECT_EQ(RunStore(store).run(2).world_size, 2);
    expect_same_curve(losses(store, 2), one, "two machines");

    // As torchrun starts them: each process told its place by WORLD_SIZE, RANK, LOCAL_RANK,
    // LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT; none starts another.
    port = std::to_string(free_port());
    pids.clear();
    for (const char* rank : {"0", "1"}) {
        for (const auto& [k, v] :
             std::vector<std::pair<const char*, std::string>>{{"WORLD_SIZE", "2"},
                                                              {"RANK", rank},
                                                              {"LOCAL_RANK", rank},
                                                              {"LOCAL_WORLD_SIZE", "2"},
                                                              {"MASTER_ADDR", "127.0.0.1"},
                                                              {"MASTER_PORT", port}})
            setenv(k, v.c_str(), 1);
        pids.push_back(spawn({trainer(), "--config", dir + "/env.json", "--store", store}, log));
    }
    for (const char* k :
         {"WORLD_SIZE", "RANK", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"})
        unsetenv(k);
    for (pid_t p : pids) EXPECT_EQ(wait_exit(p), 0) << read_file(log);
    EXPECT_EQ(RunStore(store).run(3).world_size, 2);
    expect_same_curve(losses(store, 3), one, "torchrun's variables");
    for (pid_t p : pids) EXPECT_TRUE(children_of(p).empty());
}

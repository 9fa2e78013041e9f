// atelier-train as the studio runs it: a background process writing the run store. SIGTERM
// checkpoints and exits cleanly; after kill -9 the run shows as interrupted and resumes from its
// last checkpoint to the end.
#include "finetune_recipe.h"
#include "run_store.h"
#include "test_util.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <set>
#include <thread>

extern char** environ;

using namespace atelier;
using atelier::test::fixture;
using atelier::test::make_temp_dir;
using atelier::test::write_file;

namespace {

std::string trainer() {
    const char* p = std::getenv("ATELIER_TRAIN");
    if (!p) ADD_FAILURE() << "ATELIER_TRAIN is not set";
    return p ? p : "";
}

pid_t spawn(const std::vector<std::string>& args, const std::string& log) {
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

int wait_exit(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

// Polls the store (as the studio does) until the run reaches `step`.
bool wait_for_step(const std::string& store, int64_t run, int64_t step) {
    for (int i = 0; i < 1200; ++i) {
        if (RunStore(store).run(run).step >= step) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

}  // namespace

TEST(TrainerProcess, SigtermCheckpointsAndKillNineResumes) {
    const std::string dir = make_temp_dir("trainer");
    // Enough distinct examples that a step takes a while on stories260K.
    std::string data = "[\n";
    for (int i = 0; i < 512; ++i)
        data += "{\"instruction\": \"Count to " + std::to_string(i) +
                " and tell me about the cat.\", \"output\": \"" + "The cat is " + std::to_string(i) +
                " years old and likes the big red ball and the sun.\"}" + (i + 1 < 512 ? ",\n" : "\n");
    write_file(dir + "/data.json", data + "]\n");
    TrainConfig c;
    c.model = fixture("stories260K/hf");
    c.data = dir + "/data.json";
    c.out = dir + "/run";
    c.batch_size = 32;
    c.max_steps = 48;
    c.save_every = 4;
    c.lr = 3e-3;
    c.threads = 1;
    write_file(dir + "/run.json", c.to_json());
    const std::string store = dir + "/runs.db", log = dir + "/log.jsonl";

    // 1. SIGTERM: the current step ends, a checkpoint is written, exit 0, status stopped.
    pid_t pid = spawn({trainer(), "--config", dir + "/run.json", "--store", store}, log);
    ASSERT_TRUE(wait_for_step(store, 1, 6)) << atelier::test::read_file(log);
    EXPECT_EQ(RunStore(store).run(1).status, RunStatus::Running);
    ::kill(pid, SIGTERM);
    EXPECT_EQ(wait_exit(pid), 0) << atelier::test::read_file(log);
    RunRecord r = RunStore(store).run(1);
    EXPECT_EQ(r.status, RunStatus::Stopped);
    const std::string checkpoint = FinetuneRecipe::latest_checkpoint(c.out);
    ASSERT_FALSE(checkpoint.empty());
    EXPECT_NE(checkpoint.find("step-" + std::string(8 - std::to_string(r.step).size(), '0') +
                              std::to_string(r.step)),
              std::string::npos)
        << "the checkpoint is of the step where it stopped";
    const int64_t stopped_at = r.step;

    // 2. Resume in the background, then kill -9: the run is left 'running' by a dead process.
    pid = spawn({trainer(), "--run-id", "1", "--store", store}, log);
    ASSERT_TRUE(wait_for_step(store, 1, stopped_at + 9)) << atelier::test::read_file(log);
    ::kill(pid, SIGKILL);
    EXPECT_EQ(wait_exit(pid), -SIGKILL);
    {
        RunStore s(store);
        EXPECT_EQ(s.run(1).status, RunStatus::Running);
        EXPECT_EQ(s.mark_interrupted(), 1);
        EXPECT_EQ(s.run(1).status, RunStatus::Interrupted);
    }

    // 3. Resume from the last checkpoint to the end.
    pid = spawn({trainer(), "--run-id", "1", "--store", store}, log);
    EXPECT_EQ(wait_exit(pid), 0) << atelier::test::read_file(log);
    RunStore s(store);
    r = s.run(1);
    EXPECT_EQ(r.status, RunStatus::Finished);
    EXPECT_EQ(r.step, 48);
    EXPECT_EQ(r.total_steps, 48);
    int resumed = 0;
    for (const auto& e : s.events(1)) resumed += e.kind == "resumed";
    EXPECT_EQ(resumed, 2);
    // Every step has a loss; steps redone after the kill appear twice (the curve is still whole).
    std::set<int64_t> steps;
    for (const auto& p : s.metrics(1, "loss")) steps.insert(p.step);
    EXPECT_EQ(steps.size(), 48u);
    EXPECT_EQ(*steps.begin(), 1);
    EXPECT_TRUE(std::filesystem::exists(c.out + "/adapter/adapter_model.safetensors"));
    EXPECT_NE(s.export_csv(1).find("step,name,value,wall_time_ms\n1,epoch,"), std::string::npos);
}

// atelier-train as the studio runs it: a background process writing the run store. SIGTERM
// checkpoints and exits cleanly; after kill -9 the run shows as interrupted and resumes from its
// last checkpoint to the end.
#include "finetune_recipe.h"
#include "run_store.h"
#include "store/sqlite.h"
#include "test_util.h"
#include "trainer_lock.h"
#include "trainer_spawn.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <set>
#include <thread>

using namespace atelier;
using atelier::test::fixture;
using atelier::test::make_temp_dir;
using atelier::test::spawn;
using atelier::test::trainer;
using atelier::test::wait_exit;
using atelier::test::write_file;

namespace {

// Polls the store (as the studio does) until the run reaches `step`.
bool wait_for_step(const std::string& store, int64_t run, int64_t step) {
    for (int i = 0; i < 1200; ++i) {
        if (RunStore(store).run(run).step >= step) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

// A LoRA run of stories260K on 512 distinct examples (enough that a step takes a while), its
// config written to dir/run.json for `atelier-train --config`.
TrainConfig background_run(const std::string& dir, int64_t max_steps, int64_t save_every) {
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
    c.max_steps = max_steps;
    c.save_every = save_every;
    c.lr = 3e-3;
    c.threads = 1;
    write_file(dir + "/run.json", c.to_json());
    return c;
}

}  // namespace

TEST(TrainerProcess, SigtermCheckpointsAndKillNineResumes) {
    const std::string dir = make_temp_dir("trainer");
    const TrainConfig c = background_run(dir, 48, 4);
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

// Issue 12, item 5: a trainer is known by the lock it holds on its run folder, never by a pid in the
// store or a name. Before, a run whose stored pid was any live process with "atelier" in its argv[0]
// (this test binary, the studio) counted as alive after its trainer died, and Stop signalled that
// process; a stored pid above INT_MAX became kill(-1, SIGTERM).
TEST(TrainerProcess, TheTrainerIsKnownByItsFolderLockNotByAStoredPid) {
    const std::string dir = make_temp_dir("trainer-lock");
    const TrainConfig c = background_run(dir, 400, 100);
    const std::string store = dir + "/runs.db", log = dir + "/log.jsonl";
    auto forge_pid = [&](int64_t pid) {
        atelier::sqlite::Database db(store);
        db.exec("UPDATE runs SET pid = " + std::to_string(pid) + " WHERE id = 1");
    };

    EXPECT_EQ(trainer_pid(c.out), 0);
    const pid_t pid = spawn({trainer(), "--config", dir + "/run.json", "--store", store}, log);
    ASSERT_TRUE(wait_for_step(store, 1, 2)) << atelier::test::read_file(log);
    EXPECT_EQ(trainer_pid(c.out), pid);
    EXPECT_TRUE(trainer_running(c.out));

    // A second trainer for the same folder refuses to start, naming the one that trains it.
    const pid_t second = spawn({trainer(), "--run-id", "1", "--store", store}, dir + "/second.log");
    EXPECT_NE(wait_exit(second), 0);
    EXPECT_NE(atelier::test::read_file(dir + "/second.log")
                  .find("another trainer (process " + std::to_string(pid) + ") is training this run folder"),
              std::string::npos)
        << atelier::test::read_file(dir + "/second.log");
    EXPECT_EQ(RunStore(store).run(1).status, RunStatus::Running);

    // Whatever the store says, the live trainer is the lock's holder, and Stop reaches it alone.
    forge_pid(int64_t{1} << 32);  // above INT_MAX: as pid_t, -1 ("every process")
    EXPECT_EQ(RunStore(store).mark_interrupted(), 0);
    EXPECT_TRUE(stop_trainer(c.out));
    EXPECT_EQ(wait_exit(pid), 0) << atelier::test::read_file(log);
    EXPECT_EQ(RunStore(store).run(1).status, RunStatus::Stopped);
    EXPECT_EQ(trainer_pid(c.out), 0);
    EXPECT_FALSE(stop_trainer(c.out));

    // A run left 'running' with the pid of a live Atelier process (this one) but no lock is over.
    forge_pid(::getpid());
    {
        atelier::sqlite::Database db(store);
        db.exec("UPDATE runs SET status = 'running' WHERE id = 1");
    }
    EXPECT_FALSE(RunStore(store).delete_run(1));  // a running run is not deleted, however it got there
    EXPECT_EQ(RunStore(store).mark_interrupted(), 1);
    EXPECT_EQ(RunStore(store).run(1).status, RunStatus::Interrupted);
    EXPECT_TRUE(RunStore(store).delete_run(1));
    EXPECT_EQ(RunStore(store).run(1).id, 0);
}

// Issue 12, item 10: one SQLITE_BUSY (another process holding the store past the 5 s timeout) threw
// out of the metric sink and ended the training run. Now the writes wait, in order, for the next.
TEST(RunStoreSink, ALockedStoreDelaysTheCurveInsteadOfEndingTheRun) {
    const std::string dir = make_temp_dir("busy-store");
    RunStore store(dir + "/runs.db");
    store.set_busy_timeout(100);
    TrainConfig c;
    c.model = fixture("stories260K/hf");
    c.data = dir + "/data.json";
    c.out = dir + "/run";
    const int64_t id = store.create_run(c, "", "busy");
    RunStoreSink sink(store, id);
    sink.log("loss", 2.0, 1);
    {
        atelier::sqlite::Database other(dir + "/runs.db");
        other.exec("BEGIN IMMEDIATE;");  // e.g. the studio exporting a CSV, a backup tool
        EXPECT_NO_THROW(sink.log("loss", 1.5, 2));
        EXPECT_NO_THROW(sink.event("checkpoint", dir + "/run/checkpoints/step-00000002", 2));
        EXPECT_EQ(sink.pending(), 2u);
        EXPECT_FALSE(sink.flush());
        other.exec("COMMIT;");
    }
    EXPECT_TRUE(sink.flush());
    sink.log("loss", 1.0, 3);
    EXPECT_EQ(sink.pending(), 0u);
    std::vector<int64_t> steps;
    for (const auto& p : store.metrics(id, "loss")) steps.push_back(p.step);
    EXPECT_EQ(steps, (std::vector<int64_t>{1, 2, 3}));
    EXPECT_EQ(store.checkpoints(id).size(), 1u);
    EXPECT_EQ(store.run(id).step, 3);
}

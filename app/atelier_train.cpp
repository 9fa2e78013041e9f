// atelier-train: the background trainer the studio launches (one process per run).
//
//   atelier-train --config run.json [--store runs.db] [--name NAME] [--no-resume]
//   atelier-train --run-id N [--store runs.db]            # continue a stored run from its checkpoint
//   ... --nproc N                                          # N data-parallel processes on this machine
//   ... --nproc N --nnodes M --node-rank K --master-addr HOST --master-port PORT   # across M machines
//
// Data-parallel runs (training/distributed.h): this process is rank 0 and starts the others (copies
// of itself with torchrun's variables: WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT); a
// process started by torchrun (or with those variables set) is that rank. Only rank 0 prints and
// records; the others write nothing to stdout.
//
// Prints JSON lines (metrics, events, progress) on stdout and records everything in the run store.
// SIGTERM or SIGINT: the current step ends, a checkpoint is written, the run is marked stopped and
// the process exits 0 (on Windows: Ctrl-C, Ctrl-Break, or the <out>/trainer.stop file that
// stop_trainer leaves). After a kill -9 the run is found 'interrupted' and --run-id resumes it.
// Exit codes: 0 finished or stopped, 1 the run failed (the error is in the store and on stderr),
// 2 bad command line.
#include "atelier_version.h"
#include "common/blas_kernels.h"
#include "common/error.h"
#include "common/process.h"
#include "launcher.h"
#include "train_runner.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>

namespace {

std::atomic<bool> g_stop{false};
void on_signal(int) {
    g_stop.store(true);
}

int usage(const std::string& why) {
    std::cerr
        << "atelier-train: " << why
        << "\nusage: atelier-train --config FILE [--store DB] [--name NAME] [--no-resume] [DATA-PARALLEL]\n"
           "       atelier-train --run-id N [--store DB] [DATA-PARALLEL]\n"
           "       atelier-train --version\n"
           "data-parallel: --nproc N (processes on this machine; default: the run's 'processes')\n"
           "               --nnodes M --node-rank K --master-addr HOST --master-port PORT\n"
           "               --dist-timeout SECONDS (a process silent this long ends the run; 300)\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    atelier::use_native_blas_kernels(argv);  // may re-execute, once: before any BLAS is used
    atelier::end_with_launcher();            // a data-parallel rank ends with the process that started it
    std::string config_path, store, name;
    int64_t run_id = 0;
    bool resume = true;
    atelier::RunOptions opt;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw std::runtime_error(a + " needs a value");
            return argv[++i];
        };
        auto integer = [&](int lo, int hi) {
            const std::string v = value();
            char* end = nullptr;
            const long x = std::strtol(v.c_str(), &end, 10);
            if (v.empty() || *end || x < lo || x > hi)
                throw std::runtime_error(a + " needs a whole number from " + std::to_string(lo) + " to " +
                                         std::to_string(hi) + ", not '" + v + "'");
            return static_cast<int>(x);
        };
        try {
            if (a == "--config")
                config_path = value();
            else if (a == "--store")
                store = value();
            else if (a == "--name")
                name = value();
            else if (a == "--run-id")
                run_id = std::stoll(value());
            else if (a == "--no-resume")
                resume = false;
            else if (a == "--nproc")
                opt.processes = integer(1, 256);
            else if (a == "--nnodes")
                opt.nnodes = integer(1, 4096);
            else if (a == "--node-rank")
                opt.node_rank = integer(0, 4095);
            else if (a == "--master-addr")
                opt.master_addr = value();
            else if (a == "--master-port")
                opt.master_port = integer(1, 65535);
            else if (a == "--dist-timeout")
                opt.dist_timeout_seconds = integer(1, 86400);
            else if (a == "--version")
                return std::cout << "atelier-train " ATELIER_VERSION "\n", 0;
            else if (a == "--help" || a == "-h")
                return usage("the background trainer"), 0;
            else
                return usage("unknown option " + a);
        } catch (const std::exception& e) {
            return usage(e.what());
        }
    }
    if (config_path.empty() == (run_id == 0)) return usage("give either --config or --run-id");
    // A background trainer yields the cores to the studio's GUI thread when both want them (before
    // any thread is started: LibTorch's and OpenMP's workers inherit the priority).
    atelier::lower_process_priority();

#ifdef _WIN32
    // No sigaction there, and no SIGTERM from outside: Ctrl-C and Ctrl-Break come as console events
    // (stop_trainer's request comes as a file, watched by run_training).
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    atelier::on_console_stop([] { g_stop.store(true); });
#else
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
#endif

    try {
        atelier::TrainConfig config;
        if (!config_path.empty()) {
            std::ifstream f(config_path);
            if (!f)
                throw atelier::Error(atelier::ErrorCode::FileNotFound, config_path,
                                     "cannot read the run config");
            std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
            config = atelier::TrainConfig::from_json(text, config_path);
        }
        opt.store_path = store;
        opt.rank_command = atelier::rank_command(argc, argv);
        opt.run_id = run_id;
        opt.name = name;
        opt.resume = resume;
        opt.json_out = &std::cout;
        opt.stop = &g_stop;
        const atelier::RunOutcome r = atelier::run_training(config, opt);
        if (r.rank == 0) std::cout << atelier::outcome_json(r) << std::endl;
        return 0;
    } catch (const atelier::Error& e) {
        if (atelier::rank_from_env() != 0) {
            std::cerr << "atelier-train (rank " << atelier::rank_from_env() << "): error: " << e.what()
                      << "\n";
            return 1;
        }
        std::cout << nlohmann::json{{"type", "error"},
                                    {"code", atelier::error_code_name(e.code())},
                                    {"where", e.where()},
                                    {"message", e.detail()}}
                         .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                  << std::endl;
        std::cerr << "atelier-train: error: " << e.what() << "\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "atelier-train"
                  << (atelier::rank_from_env() ? " (rank " + std::to_string(atelier::rank_from_env()) + ")"
                                               : "")
                  << ": error: " << e.what() << "\n";
        return 1;
    }
}

// atelier-cli eval: a model's greedy answers to a dataset's questions, scored against its replies.
//
//   atelier-cli eval --model M [--adapter A] --data FILE [--metric first-word|exact|contains|api-call|
//                    bleu|rouge-l|perplexity] [--template NAME] [--max-new-tokens N] [--limit N] [--json]
//                    [--run ID|latest [--store DB]]   (stored with that training run)
#include "cli_args.h"

#include "common/error.h"
#include "eval_metrics.h"
#include "evaluate.h"

#include "run_store.h"
#include "train_runner.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

using nlohmann::json;

namespace cli {

int cmd_eval(const Args& a) {
    a.check_known({"model", "adapter", "data", "metric", "template", "max-new-tokens", "limit", "frames",
                   "device", "dtype", "threads", "context", "tokenizer", "json", "help", "run", "store"});
    atelier::EvalOptions o;
    o.model = a.need("model");
    o.adapter = a.get("adapter");
    o.data = a.need("data");
    o.metric = a.get("metric", "first-word");
    o.template_name = a.get("template");
    o.max_new_tokens = static_cast<int>(a.integer("max-new-tokens", 64, 1, 1 << 16));
    o.limit = a.integer("limit", 0, 0, int64_t(1) << 40);
    o.video_frames = static_cast<int>(a.integer("frames", 0, 0, 1024));
    o.load.device = a.get("device", "cpu");
    o.load.dtype = a.get("dtype", "auto");
    o.load.context_length = a.integer("context", 0, 0, 1 << 20);
    o.load.tokenizer = a.get("tokenizer");
    atelier::init_engine_threads(static_cast<int>(a.integer("threads", 0, 0, 1024)));
    const auto& names = atelier::eval_metric_names();
    if (std::find(names.begin(), names.end(), o.metric) == names.end())
        throw UsageError(
            "--metric must be first-word, exact, contains, api-call, bleu, rouge-l or perplexity");
    const bool as_json = a.has("json");
    if (!as_json)
        o.progress = [](int64_t done, int64_t total) {
            std::fprintf(stderr, "\r%lld/%lld", static_cast<long long>(done), static_cast<long long>(total));
            return true;
        };
    // --run ID|latest: the evaluation is stored with that training run (the Runs page shows it).
    std::unique_ptr<atelier::RunStore> store;
    int64_t run_id = 0;
    if (a.has("run")) {
        store = std::make_unique<atelier::RunStore>(a.get("store", atelier::default_run_store_path()));
        if (a.get("run") == "latest") {
            const auto runs = store->runs();
            if (runs.empty()) throw UsageError("--run latest: the run store has no runs");
            run_id = runs.front().id;
        } else {
            run_id = a.integer("run", 0, 1, int64_t(1) << 62);
            if (store->run(run_id).id == 0)
                throw atelier::Error(atelier::ErrorCode::InvalidArgument, "run",
                                     "no run " + std::to_string(run_id));
        }
    } else if (a.has("store")) {
        throw UsageError("--store needs --run ID|latest");
    }
    const atelier::EvalReport r = atelier::evaluate(o);
    if (!as_json) std::fprintf(stderr, "\n");
    const bool accuracy = atelier::is_accuracy_metric(r.metric);
    if (store) {
        atelier::EvalRecord e;
        e.run_id = run_id;
        e.model = o.model;
        e.dataset = o.data;
        e.metric = r.metric;
        e.score = r.score;
        e.items = r.count;
        e.perplexity = r.perplexity;
        json groups = json::array();
        for (const auto& g : r.groups)
            groups.push_back({{"name", g.name}, {"count", g.count}, {"score", g.score}});
        e.groups_json = groups.dump();
        store->add_eval(e);
        if (!as_json) std::fprintf(stderr, "stored with run %lld\n", static_cast<long long>(run_id));
    }
    if (as_json) {
        json groups = json::array(), failures = json::array(), items = json::array();
        for (const auto& g : r.groups)
            groups.push_back({{"name", g.name}, {"count", g.count}, {"score", g.score}});
        for (size_t k : r.failures) {
            const auto& it = r.items[k];
            failures.push_back({{"line", it.line},
                                {"group", it.group},
                                {"question", it.question},
                                {"reference", it.reference},
                                {"answer", it.answer}});
        }
        for (const auto& it : r.items)
            items.push_back({{"line", it.line},
                             {"group", it.group},
                             {"question", it.question},
                             {"reference", it.reference},
                             {"answer", it.answer},
                             {"score", it.score}});
        json j = {{"metric", r.metric},
                  {"count", r.count},
                  {"score", r.score},
                  {"groups", groups},
                  {"failures", failures},
                  {"items", items},
                  {"skipped_rows", r.skipped_rows},
                  {"seconds", r.seconds}};
        if (accuracy) j["accuracy"] = r.score;
        if (r.perplexity > 0) j["perplexity"] = r.perplexity;
        std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
        return 0;
    }
    const char* label = accuracy                ? "accuracy"
                        : r.metric == "bleu"    ? "BLEU"
                        : r.metric == "rouge-l" ? "ROUGE-L"
                                                : "perplexity";
    auto value = [&](double v) {
        char buf[32];
        if (accuracy)
            std::snprintf(buf, sizeof buf, "%.1f%%", 100 * v);
        else
            std::snprintf(buf, sizeof buf, "%.4f", v);
        return std::string(buf);
    };
    std::printf("%s: %s over %lld items (%.1f s)\n", label, value(r.score).c_str(),
                static_cast<long long>(r.count), r.seconds);
    if (r.perplexity > 0 && r.metric != "perplexity")
        std::printf("perplexity of the references: %.4f\n", r.perplexity);
    std::printf("\n%-40s %8s  %s\n", "group", "items", label);
    for (const auto& g : r.groups)
        std::printf("%-40s %8lld  %s\n", g.name.substr(0, 40).c_str(), static_cast<long long>(g.count),
                    value(g.score).c_str());
    if (!r.failures.empty()) {
        std::printf("\nfailures (%zu):\n", r.failures.size());
        for (size_t n = 0; n < r.failures.size() && n < 20; ++n) {
            const auto& it = r.items[r.failures[n]];
            std::printf("  line %lld  %s\n    expected: %s\n    answered: %s\n",
                        static_cast<long long>(it.line), it.question.substr(0, 80).c_str(),
                        it.reference.substr(0, 80).c_str(), it.answer.substr(0, 80).c_str());
        }
        if (r.failures.size() > 20)
            std::printf("  ... and %zu more (--json lists them all)\n", r.failures.size() - 20);
    }
    if (r.skipped_rows > 0)
        std::printf("\n%lld bad dataset rows skipped\n", static_cast<long long>(r.skipped_rows));
    return 0;
}

}  // namespace cli

// atelier-cli demo-data: writes the multimodal demo task's data set (training/demo_data.h).
//
//   atelier-cli demo-data --out DIR [--count N] [--seed S] [--json]
#include "cli_args.h"

#include "demo_data.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>

using nlohmann::ordered_json;

namespace cli {

int cmd_demo_data(const Args& a) {
    a.check_known({"out", "count", "seed", "json", "help"});
    atelier::DemoDataOptions o;
    o.out = a.need("out");
    o.count = static_cast<int>(a.integer("count", o.count, 2, 100000));
    o.seed = static_cast<uint64_t>(a.integer("seed", static_cast<int64_t>(o.seed), 0, INT64_MAX));
    const auto t0 = std::chrono::steady_clock::now();
    const atelier::DemoDataResult r = atelier::write_demo_data(o);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (a.has("json")) {
        ordered_json cats = ordered_json::array();
        for (const auto& c : r.categories)
            cats.push_back({{"name", c.name}, {"train", c.train}, {"test", c.test}});
        ordered_json j = {{"train", r.train_json},      {"test", r.test_json},
                          {"media", r.media_dir},       {"images", r.images},
                          {"audio", r.audio},           {"videos", r.videos},
                          {"train_rows", r.train_rows}, {"test_rows", r.test_rows},
                          {"categories", cats},         {"seed", o.seed},
                          {"seconds", seconds}};
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::printf("wrote %d images, %d audio clips, %d videos to %s in %.1f s\n", r.images, r.audio, r.videos,
                r.media_dir.c_str(), seconds);
    std::printf("%-16s %6s %6s\n", "question type", "train", "test");
    for (const auto& c : r.categories) std::printf("%-16s %6d %6d\n", c.name.c_str(), c.train, c.test);
    std::printf("%-16s %6d %6d\n", "all", r.train_rows, r.test_rows);
    std::printf("train: %s\ntest:  %s\n", r.train_json.c_str(), r.test_json.c_str());
    return 0;
}

}  // namespace cli

// A model's weights moved from their file's mapping into the huge-page arena on a background
// thread, so an interactive load starts computing at once: LlamaModel computes from the mapping
// until the copy is done, and from the arena after the swap, which its own calls make between
// steps on the engine's thread (docs/benchmarks.md, 2026-12-02 evening: a 4.4 GB llama2.c
// checkpoint took 1.9-2.1x run.c's start to finish with the copy first, on a VM whose first touch
// of fresh memory runs at 0.6-0.7 GB/s). Engine code only.
//
//   ArenaFill fill(arena);                       // a block from allocate_streamed
//   param.set_data(tensor_from_data(t, dtype, cpu));  // the mapping, zero-copy
//   fill.add(param, t, dtype, offset);           // its place in the arena, filled later
//   fill.start();
//   ...
//   fill.adopt();   // between calls: true once done (the parameters now read the arena)
#pragma once

#include "io/tensor_data.h"

#include <torch/torch.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace atelier {

class ArenaFill {
public:
    explicit ArenaFill(std::shared_ptr<uint8_t> arena);
    ~ArenaFill();  // stops the copy (between 4 MiB pieces) and waits for the thread
    ArenaFill(const ArenaFill&) = delete;
    ArenaFill& operator=(const ArenaFill&) = delete;

    // Reserves the place of `t` (file-backed, stored as `dtype`) at `offset` (advanced as
    // tensor_into_arena advances it) for `param`, which meanwhile reads the mapping.
    void add(const torch::Tensor& param, const TensorData& t, torch::Dtype dtype, size_t& offset);
    void start();
    // On the engine's thread between calls: once the copy is done, points every parameter at its
    // arena copy and returns true (also when the copy failed: the weights then stay mapped);
    // false while it runs.
    bool adopt();
    // Blocks until the copy ends, then adopts (benchmarks and tests).
    void wait();

private:
    struct Item {
        torch::Tensor param, dest;
        TensorData source;
        uint8_t* to = nullptr;
    };
    std::vector<Item> m_items;
    std::shared_ptr<uint8_t> m_arena;
    std::thread m_worker;
    std::atomic<bool> m_cancel{false};
    std::atomic<int> m_state{0};  // 0 copying, 1 done, -1 failed or cancelled
    bool m_adopted = false;
};

}  // namespace atelier

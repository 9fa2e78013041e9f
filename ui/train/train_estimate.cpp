#include "train_estimate.h"

#include "adapters/adapter_config.h"

#include <algorithm>
#include <cmath>

TrainEstimate estimateTraining(const atelier::TrainConfig& c, const atelier::ModelConfig& mc,
                               int64_t weightsBytes, int64_t examples, double meanTokens) {
    TrainEstimate e;
    const bool multimodal = c.multimodal.enabled();  // the adapter's share here; projectors come on top
    e.trainable = !multimodal || c.multimodal.trains_adapter() ? c.adapter.trainable_parameters(mc) : 0;
    const double n = static_cast<double>(mc.num_parameters());
    e.modelFraction = static_cast<double>(e.trainable) / std::max(1.0, n);
    // Memory: the weights, the adapter with its gradient and two AdamW moments (f32), and the
    // activations kept for backward (about 34 values per hidden unit, per token and layer, or
    // one layer's worth plus the layer inputs with checkpointing).
    const double tokens = static_cast<double>(c.batch_size) * static_cast<double>(c.max_length);
    const double hidden = static_cast<double>(mc.hidden_size),
                 layers = static_cast<double>(mc.num_hidden_layers);
    const double per_layer = 34.0 * tokens * hidden * 4;
    const double acts =
        c.gradient_checkpointing ? per_layer + tokens * hidden * 4 * layers : per_layer * layers;
    e.memoryBytes = static_cast<double>(weightsBytes) + 16.0 * static_cast<double>(e.trainable) + acts;
    // Time: 4N FLOPs per trained token (forward and backward through frozen weights) at the
    // ~100 GFLOP/s a 2-core CPU sustains (bench_train), plus ~40 ms of fixed cost per step (what
    // dominates for tiny models); a GPU is far faster.
    const double trained = static_cast<double>(examples) * (1 - c.eval_fraction);
    const double total_tokens = meanTokens * trained * static_cast<double>(c.epochs);
    const double steps =
        std::ceil(trained / static_cast<double>(c.batch_size) / static_cast<double>(c.grad_accum)) *
        static_cast<double>(c.epochs);
    e.seconds = total_tokens * 4 * n / 100e9 * (c.gradient_checkpointing ? 1.5 : 1.0) + steps * 0.04;
    return e;
}

// The Train page's cost model: trainable parameters, memory and time of a run before it starts,
// from the model's shape, the dataset's size and the run's settings. Rough by design (the run
// measures itself once it starts); a pure function so it can be read and checked alone.
#pragma once

#include "model/config.h"
#include "train_config.h"

#include <cstdint>

struct TrainEstimate {
    int64_t trainable = 0;     // the adapter's parameters (projectors come on top)
    double modelFraction = 0;  // trainable / the model's parameters
    double memoryBytes = 0;    // weights + adapter state + activations
    double seconds = 0;        // on a 2-core CPU
};

// `examples` and `meanTokens` from the dataset preview; `weightsBytes`: the model's size on disk.
TrainEstimate estimateTraining(const atelier::TrainConfig& c, const atelier::ModelConfig& model,
                               int64_t weightsBytes, int64_t examples, double meanTokens);

// LoRA's branch of a bf16 linear in training as one autograd node over the fused kernels
// (model/lora_kernels.h): out = y + alpha · B·A·dropout(x), dropout's mask drawn as fast_dropout
// draws it. Engine code only: this header pulls in <torch/torch.h>.
#pragma once

#include <torch/torch.h>

namespace atelier {

// x [..., K] and y [..., N] bf16 on the CPU, A [r, K] and B [N, r] f32 (the adapter's parameters);
// dropout p in [0, 1). The result has y's shape; gradients reach x, y, A and B. Undefined where the
// fused kernels do not run (other dtypes or devices, a CPU without AMX, K or N not a multiple of 32,
// zero, r > 64): the caller computes the branch with LibTorch's ops.
torch::Tensor lora_branch(const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& A,
                          const torch::Tensor& B, double alpha, double dropout);

}  // namespace atelier

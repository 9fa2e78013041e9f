// One decode step of a small float32 model without LibTorch's per-op overhead (issue 14): a token
// of stories260K is ~130 eager ops of a microsecond or more each, which is most of its time, while
// its arithmetic is a few hundred thousand multiply-adds. This runs the same layer (RMSNorm,
// rotate-half RoPE from the model's table, grouped-query attention over the model's own KV cache,
// SwiGLU) as plain loops over the module's weights with the AVX2 GEMV, writing K and V into the same
// cache, so LibTorch's path (prefill, media embeddings) and this one interleave freely.
//
//   if (small_decode_applies(net)) small_decode_step(net, cache, pos, token, logits.data());
#pragma once

#include "model/llama_module.h"

namespace atelier {

// True for a float32 model on the CPU small enough that per-op overhead dominates (< 64M
// parameters) with nothing attached that this path does not run (adapters, attention hooks).
// ATELIER_SMALL_DECODE=0 turns the path off (comparisons, bisecting). small_decode.cpp is compiled
// for AVX2 + FMA (its loops vectorised): the caller checks for AVX2 first, in code
// compiled for any x86-64.
bool small_decode_applies(LlamaForCausalLMImpl& net);

// Appends `token` at position `pos` (< cache.capacity; the rotary table must cover pos + 1) and
// writes the float32 logits [vocab_size] of the next token into `logits`.
void small_decode_step(LlamaForCausalLMImpl& net, KVCache& cache, int64_t pos, int token, float* logits);

}  // namespace atelier

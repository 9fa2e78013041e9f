// One decode step without LibTorch's per-op overhead (issue 14). A token is ~30 eager LibTorch ops
// per layer at a few microseconds each: most of a stories260K token, whose arithmetic is a few
// hundred thousand multiply-adds, and 15-20% of a 1.1B bf16 token, during which the other threads
// wait. This runs the same layer (RMSNorm, rotate-half RoPE from the model's table, grouped-query
// attention over the model's own KV cache, SwiGLU) as plain loops over the module's weights with the
// engine's bandwidth-bound GEMVs (f32, f16 or bf16 weights), writing K and V into the same cache, so
// LibTorch's path (prefill, media embeddings) and this one interleave freely.
//
// With bf16 compute every value is rounded to bf16 where LibTorch's bf16 path rounds it (each op's
// result, f32 inside RMSNorm and softmax), so both paths compute the same thing.
//
//   if (direct_decode_applies(net)) direct_decode_step(net, cache, pos, token, logits.data());
#pragma once

#include "model/llama_module.h"

namespace atelier {

// True for a CPU model with f32 compute (f32, f16 or bf16 weights) or bf16 compute (bf16 weights,
// where the engine's bf16 GEMV beats LibTorch's GEMM on this CPU), with nothing attached that this
// path does not run: LoRA it runs (a chat with a fine-tune), LLaMA-Adapter's prefix hooks and its
// bias/scale and norm adapters it does not. ATELIER_DIRECT_DECODE=0 turns it off
// (comparisons, bisecting). direct_decode.cpp is compiled for AVX2 + FMA (its loops vectorised): the
// caller checks for AVX2 first, in code compiled for any x86-64.
bool direct_decode_applies(LlamaForCausalLMImpl& net);

// Appends `token` at position `pos` (< cache.capacity) and writes the float32 logits [vocab_size]
// of the next token into `logits`.
void direct_decode_step(LlamaForCausalLMImpl& net, KVCache& cache, int64_t pos, int token, float* logits);

}  // namespace atelier

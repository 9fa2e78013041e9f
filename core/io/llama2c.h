// llama2.c checkpoints (Karpathy's run.c format): the "legacy" header of 7 int32 and the
// "version 1" header (magic "ak42", 256 bytes), fp32 weights in Meta's layout.
//
//   atelier::Llama2cFile f = atelier::read_llama2c("stories260K.bin");
//   f.tensors.at("layers.0.attention.wq.weight")   // Meta names, Meta (interleaved RoPE) rows
//
// The importer (model/importers.h) renames to HF and permutes Q/K rows; this file only parses.
#pragma once

#include "io/tensor_data.h"

#include <string>

namespace atelier {

struct Llama2cFile {
    int version = 0;  // 0 = legacy header, 1 = "ak42" v1 header
    int dim = 0, hidden_dim = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0, vocab_size = 0, seq_len = 0;
    bool shared_classifier = true;  // classifier tied to the token embedding
    TensorMap tensors;              // Meta names: tok_embeddings.weight, layers.N.attention.wq.weight, ...
};

Llama2cFile read_llama2c(const std::string& path);

// Writes `file` with the header its `version` names (0: legacy, the one run.c reads; 1: "ak42"),
// through a temporary file renamed into place. Used by tests and bench_generate --write-llama2c.
void write_llama2c(const std::string& path, const Llama2cFile& file);

}  // namespace atelier

// A tensor as bytes: dtype, shape and a pointer into memory someone else owns.
//
// This is the torch-free currency of tensor I/O. Readers (safetensors, .pth, llama2.c) produce
// TensorData whose `owner` keeps the backing memory (an mmap or a heap buffer) alive; the model
// turns them into torch tensors without copying when it can.
//
//   atelier::TensorMap m = atelier::load_safetensors_dir("model_dir");
//   const atelier::TensorData& t = m.at("model.embed_tokens.weight");
//   // t.dtype == DType::F32, t.shape == {512, 64}, t.data points at 512*64*4 bytes
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace atelier {

class MappedFile;

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool };

size_t dtype_size(DType dtype);
// Safetensors spelling: "F32", "F16", "BF16", "F64", "I64", "I32", "I16", "I8", "U8", "BOOL".
const char* dtype_name(DType dtype);
std::optional<DType> dtype_from_name(const std::string& name);

struct TensorData {
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    const void* data = nullptr;         // first byte of the tensor, contiguous row-major
    size_t nbytes = 0;                  // == numel(shape) * dtype_size(dtype)
    std::shared_ptr<const void> owner;  // keeps `data` alive (mmap, buffer, ...)
    // Where `data` is a stretch of a mapped file (kept alive by `owner`): the file, and the offset of
    // `data` in it, so a copy can be read from the file (MappedFile::read_at) without faulting the
    // mapping's pages in. Null for heap buffers.
    const MappedFile* file = nullptr;
    size_t file_offset = 0;

    int64_t numel() const;
};

// Ordered by name, so iteration (and files written from it) is deterministic.
using TensorMap = std::map<std::string, TensorData>;

// A TensorData that owns a fresh heap copy of `bytes`.
TensorData make_owned_tensor(DType dtype, std::vector<int64_t> shape, const void* bytes, size_t nbytes);

}  // namespace atelier

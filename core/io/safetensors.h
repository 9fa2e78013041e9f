// Safetensors: memory-mapped reader (zero-copy) and atomic writer, plus sharded folders.
//
// Format: 8-byte little-endian header length N, N bytes of JSON
// {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}},
// then the data section; offsets are relative to the data section.
//
//   auto file = atelier::SafetensorsFile::open("model.safetensors");   // throws atelier::Error
//   for (const auto& [name, t] : file->tensors()) { ... }              // t.data points into the mmap
//   atelier::TensorMap all = atelier::load_safetensors_dir("hf_folder"); // single or sharded
//   atelier::write_safetensors("out.safetensors", all, {{"format", "pt"}});
#pragma once

#include "io/tensor_data.h"

#include <map>
#include <memory>
#include <string>

namespace atelier {

class SafetensorsFile {
public:
    // Maps the file and validates the header completely. Every malformed file raises atelier::Error
    // naming the file and the problem: truncated file, header length past the end, bad JSON,
    // unknown dtype, offsets out of range or overlapping, shape x dtype != byte span.
    static std::shared_ptr<SafetensorsFile> open(const std::string& path);

    const std::string& path() const { return m_path; }
    // TensorData::owner of each entry keeps this mapping alive.
    const TensorMap& tensors() const { return m_tensors; }
    const std::map<std::string, std::string>& metadata() const { return m_metadata; }

    ~SafetensorsFile();
    SafetensorsFile(const SafetensorsFile&) = delete;
    SafetensorsFile& operator=(const SafetensorsFile&) = delete;

private:
    SafetensorsFile() = default;
    std::string m_path;
    void* m_map = nullptr;
    size_t m_size = 0;
    // Owns the mmap (munmap when the last reference goes). Each tensor's owner aliases it rather
    // than this object: a tensor inside m_tensors owning its own file would be a reference cycle.
    std::shared_ptr<const void> m_mapping;
    TensorMap m_tensors;
    std::map<std::string, std::string> m_metadata;
};

// Loads every tensor of a Hugging Face folder: `model.safetensors`, or the shards named by
// `model.safetensors.index.json` ("weight_map": name -> shard file). Also accepts a path to a
// single .safetensors file. A tensor in two shards, or a shard missing, is an error.
TensorMap load_safetensors_dir(const std::string& path);

// Writes tensors with optional string metadata. Written to `path.tmp` then renamed, so a crash never
// leaves a half-written file under `path`. The header lists tensors in name order; the data is laid
// out by decreasing element size, then name (as the reference implementation does), so that every
// tensor starts aligned to its element size and the output is deterministic.
void write_safetensors(const std::string& path, const TensorMap& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace atelier

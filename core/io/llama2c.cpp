#include "io/llama2c.h"

#include "common/error.h"
#include "io/zip_reader.h"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace atelier {

namespace {

constexpr uint32_t kMagicV1 = 0x616b3432;  // "ak42"
constexpr size_t kHeaderV1 = 256;

// Names and shapes of the per-layer arrays, in file order for each header version.
struct Array {
    std::string name;  // with {} for the layer index
    std::vector<int64_t> shape;
    bool per_layer;
};

// The arrays of a file, in file order, for its header version. An empty name is legacy's
// freq_cis_real / freq_cis_imag (RoPE tables run.c skips; Atelier recomputes them).
std::vector<Array> layout(const Llama2cFile& f) {
    const int64_t d = f.dim, hd = f.dim / f.n_heads, kv = hd * f.n_kv_heads, ff = f.hidden_dim,
                  V = f.vocab_size;
    std::vector<Array> order;
    if (f.version == 0) {
        order = {{"tok_embeddings.weight", {V, d}, false},
                 {"layers.{}.attention_norm.weight", {d}, true},
                 {"layers.{}.attention.wq.weight", {d, d}, true},
                 {"layers.{}.attention.wk.weight", {kv, d}, true},
                 {"layers.{}.attention.wv.weight", {kv, d}, true},
                 {"layers.{}.attention.wo.weight", {d, d}, true},
                 {"layers.{}.ffn_norm.weight", {d}, true},
                 {"layers.{}.feed_forward.w1.weight", {ff, d}, true},
                 {"layers.{}.feed_forward.w2.weight", {d, ff}, true},
                 {"layers.{}.feed_forward.w3.weight", {ff, d}, true},
                 {"norm.weight", {d}, false},
                 {"", {f.seq_len * hd / 2}, false},   // freq_cis_real
                 {"", {f.seq_len * hd / 2}, false}};  // freq_cis_imag
    } else {
        order = {{"layers.{}.attention_norm.weight", {d}, true},
                 {"layers.{}.ffn_norm.weight", {d}, true},
                 {"norm.weight", {d}, false},
                 {"tok_embeddings.weight", {V, d}, false},
                 {"layers.{}.attention.wq.weight", {d, d}, true},
                 {"layers.{}.attention.wk.weight", {kv, d}, true},
                 {"layers.{}.attention.wv.weight", {kv, d}, true},
                 {"layers.{}.attention.wo.weight", {d, d}, true},
                 {"layers.{}.feed_forward.w1.weight", {ff, d}, true},
                 {"layers.{}.feed_forward.w2.weight", {d, ff}, true},
                 {"layers.{}.feed_forward.w3.weight", {ff, d}, true}};
    }
    if (!f.shared_classifier) order.push_back({"output.weight", {V, d}, false});
    return order;
}

std::string layer_name(std::string name, int64_t layer) {
    name.replace(name.find("{}"), 2, std::to_string(layer));
    return name;
}

}  // namespace

Llama2cFile read_llama2c(const std::string& path) {
    // Mapped, not read: the weights stay in the page cache run.c would use too, and the model's
    // tensors view the mapping (copy-on-write, so no stray write can reach the file).
    auto file = MappedFile::open(path, "a llama2.c .bin file");
    const char* p = reinterpret_cast<const char*>(file->data());
    const size_t size = file->size();
    Llama2cFile f;

    int32_t h[7];
    size_t offset = 0;
    uint32_t magic = 0;
    if (size >= 4) std::memcpy(&magic, p, 4);
    if (magic == kMagicV1) {
        if (size < kHeaderV1)
            throw Error(ErrorCode::FileTruncated, path,
                        "file is " + std::to_string(size) + " bytes, shorter than the 256-byte v1 header");
        int32_t version;
        std::memcpy(&version, p + 4, 4);
        if (version != 1)
            throw Error(
                ErrorCode::BadHeader, path,
                "llama2.c version " + std::to_string(version) + " is not supported (only 1 and legacy)");
        std::memcpy(h, p + 8, sizeof h);
        f.version = 1;
        f.shared_classifier = p[8 + sizeof h] != 0;
        offset = kHeaderV1;
    } else {
        if (size < sizeof h)
            throw Error(ErrorCode::FileTruncated, path,
                        "file is " + std::to_string(size) + " bytes, shorter than the 28-byte header");
        std::memcpy(h, p, sizeof h);
        f.version = 0;
        f.shared_classifier = h[5] > 0;
        h[5] = h[5] < 0 ? -h[5] : h[5];
        offset = sizeof h;
    }
    f.dim = h[0], f.hidden_dim = h[1], f.n_layers = h[2], f.n_heads = h[3], f.n_kv_heads = h[4];
    f.vocab_size = h[5], f.seq_len = h[6];
    for (int v : h)
        if (v <= 0 || v > (1 << 20))
            throw Error(ErrorCode::BadHeader, path,
                        "header value " + std::to_string(v) + " is out of range; not a llama2.c checkpoint?");
    if (f.dim % f.n_heads != 0 || f.n_heads % f.n_kv_heads != 0)
        throw Error(ErrorCode::BadHeader, path, "dim, n_heads and n_kv_heads are inconsistent");

    const std::vector<Array> order = layout(f);
    auto owner = std::shared_ptr<const void>(file, file->data());
    auto take = [&](const std::string& name, const std::vector<int64_t>& shape) {
        int64_t n = 1;
        for (int64_t s : shape) n *= s;
        size_t bytes = static_cast<size_t>(n) * 4;
        if (offset + bytes > size)
            throw Error(ErrorCode::FileTruncated, path,
                        "file ends at byte " + std::to_string(size) + " but tensor '" +
                            (name.empty() ? std::string("freq_cis") : name) + "' needs bytes up to " +
                            std::to_string(offset + bytes));
        if (!name.empty()) {
            TensorData t;
            t.dtype = DType::F32;
            t.shape = shape;
            t.data = p + offset;
            t.nbytes = bytes;
            t.owner = owner;
            t.file = file.get();
            t.file_offset = offset;
            f.tensors[name] = std::move(t);
        }
        offset += bytes;
    };
    for (const auto& a : order) {
        if (!a.per_layer) {
            take(a.name, a.shape);
            continue;
        }
        for (int64_t l = 0; l < f.n_layers; ++l) take(layer_name(a.name, l), a.shape);
    }
    if (offset != size)
        throw Error(ErrorCode::ShapeMismatch, path,
                    "file has " + std::to_string(size - offset) +
                        " bytes after the last tensor; header and size disagree");
    return f;
}

void write_llama2c(const std::string& path, const Llama2cFile& f) {
    if (f.version != 0 && f.version != 1)
        throw Error(ErrorCode::BadHeader, path,
                    "llama2.c version " + std::to_string(f.version) + " cannot be written");
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(ErrorCode::Io, path, "cannot write file");
        int32_t h[7] = {f.dim, f.hidden_dim, f.n_layers, f.n_heads, f.n_kv_heads, f.vocab_size, f.seq_len};
        if (f.version == 1) {
            char header[kHeaderV1] = {};
            std::memcpy(header, &kMagicV1, 4);
            int32_t version = 1;
            std::memcpy(header + 4, &version, 4);
            std::memcpy(header + 8, h, sizeof h);
            header[8 + sizeof h] = f.shared_classifier ? 1 : 0;
            out.write(header, sizeof header);
        } else {
            if (!f.shared_classifier) h[5] = -h[5];  // legacy: a negative vocabulary = own classifier
            out.write(reinterpret_cast<const char*>(h), sizeof h);
        }
        // Legacy files carry RoPE's cos and sin tables (run.c skips them; so does read_llama2c).
        const int64_t hd = f.dim / f.n_heads;
        bool cos_table = true;
        auto put_rope_table = [&]() {
            std::vector<float> table(static_cast<size_t>(f.seq_len * hd / 2));
            for (int64_t pos = 0; pos < f.seq_len; ++pos)
                for (int64_t i = 0; i < hd / 2; ++i) {
                    // float32 throughout, as export.py's precompute_freqs_cis
                    const float freq =
                        1.0f / std::pow(10000.0f, static_cast<float>(2 * i) / static_cast<float>(hd));
                    const float angle = static_cast<float>(pos) * freq;
                    table[pos * (hd / 2) + i] = cos_table ? std::cos(angle) : std::sin(angle);
                }
            cos_table = false;
            out.write(reinterpret_cast<const char*>(table.data()),
                      static_cast<std::streamsize>(table.size() * 4));
        };
        auto put = [&](const std::string& name, const std::vector<int64_t>& shape) {
            auto it = f.tensors.find(name);
            if (it == f.tensors.end())
                throw Error(ErrorCode::MissingTensor, path, "tensor '" + name + "' missing");
            if (it->second.dtype != DType::F32)
                throw Error(ErrorCode::UnknownDtype, path, "llama2.c files hold F32 only ('" + name + "')");
            if (it->second.shape != shape)
                throw Error(ErrorCode::ShapeMismatch, path,
                            "tensor '" + name + "' does not match the header");
            out.write(static_cast<const char*>(it->second.data),
                      static_cast<std::streamsize>(it->second.nbytes));
        };
        for (const auto& a : layout(f)) {
            if (a.name.empty())
                put_rope_table();
            else if (!a.per_layer)
                put(a.name, a.shape);
            else
                for (int64_t l = 0; l < f.n_layers; ++l) put(layer_name(a.name, l), a.shape);
        }
        out.close();  // the last buffered bytes are written here: a full disk may only show now
        if (out.fail()) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            throw Error(ErrorCode::Io, path, "write failed");
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw Error(ErrorCode::Io, path, "cannot move into place: " + ec.message());
}

}  // namespace atelier

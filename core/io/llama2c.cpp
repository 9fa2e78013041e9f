#include "io/llama2c.h"

#include "common/error.h"

#include <cstring>
#include <filesystem>
#include <fstream>

namespace atelier {

namespace {

constexpr uint32_t kMagicV1 = 0x616b3432;  // "ak42"
constexpr size_t kHeaderV1 = 256;

std::shared_ptr<std::vector<char>> read_all(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw Error(ErrorCode::FileNotFound, path, "file not found");
    std::ifstream f(path, std::ios::binary | std::ios::ate);
    if (!f) throw Error(ErrorCode::Io, path, "cannot open file");
    auto size = static_cast<size_t>(f.tellg());
    auto buf = std::make_shared<std::vector<char>>(size);
    f.seekg(0);
    if (size > 0 && !f.read(buf->data(), static_cast<std::streamsize>(size)))
        throw Error(ErrorCode::Io, path, "cannot read file");
    return buf;
}

// Names and shapes of the per-layer arrays, in file order for each header version.
struct Array {
    std::string name;  // with {} for the layer index
    std::vector<int64_t> shape;
    bool per_layer;
};

}  // namespace

Llama2cFile read_llama2c(const std::string& path) {
    auto buf = read_all(path);
    const char* p = buf->data();
    const size_t size = buf->size();
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

    const int64_t d = f.dim, hd = f.dim / f.n_heads, kv = hd * f.n_kv_heads, ff = f.hidden_dim,
                  V = f.vocab_size;
    const int64_t L = f.n_layers;
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
                 {"", {f.seq_len * hd / 2}, false},   // freq_cis_real (recomputed, skipped)
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

    auto owner = std::shared_ptr<const void>(buf, buf->data());
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
            f.tensors[name] = std::move(t);
        }
        offset += bytes;
    };
    for (const auto& a : order) {
        if (!a.per_layer) {
            take(a.name, a.shape);
            continue;
        }
        for (int64_t l = 0; l < L; ++l) {
            std::string name = a.name;
            name.replace(name.find("{}"), 2, std::to_string(l));
            take(name, a.shape);
        }
    }
    if (offset != size)
        throw Error(ErrorCode::ShapeMismatch, path,
                    "file has " + std::to_string(size - offset) +
                        " bytes after the last tensor; header and size disagree");
    return f;
}

void write_llama2c_v1(const std::string& path, const Llama2cFile& f) {
    std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error(ErrorCode::Io, path, "cannot write file");
        char header[kHeaderV1] = {};
        std::memcpy(header, &kMagicV1, 4);
        int32_t version = 1;
        std::memcpy(header + 4, &version, 4);
        int32_t h[7] = {f.dim, f.hidden_dim, f.n_layers, f.n_heads, f.n_kv_heads, f.vocab_size, f.seq_len};
        std::memcpy(header + 8, h, sizeof h);
        header[8 + sizeof h] = f.shared_classifier ? 1 : 0;
        out.write(header, sizeof header);
        auto put = [&](const std::string& name) {
            auto it = f.tensors.find(name);
            if (it == f.tensors.end())
                throw Error(ErrorCode::MissingTensor, path, "tensor '" + name + "' missing");
            if (it->second.dtype != DType::F32)
                throw Error(ErrorCode::UnknownDtype, path, "llama2.c files hold F32 only ('" + name + "')");
            out.write(static_cast<const char*>(it->second.data),
                      static_cast<std::streamsize>(it->second.nbytes));
        };
        auto per_layer = [&](const char* fmt) {
            for (int l = 0; l < f.n_layers; ++l) {
                std::string name = fmt;
                name.replace(name.find("{}"), 2, std::to_string(l));
                put(name);
            }
        };
        per_layer("layers.{}.attention_norm.weight");
        per_layer("layers.{}.ffn_norm.weight");
        put("norm.weight");
        put("tok_embeddings.weight");
        for (const char* w : {"wq", "wk", "wv", "wo"})
            per_layer((std::string("layers.{}.attention.") + w + ".weight").c_str());
        for (const char* w : {"w1", "w2", "w3"})
            per_layer((std::string("layers.{}.feed_forward.") + w + ".weight").c_str());
        if (!f.shared_classifier) put("output.weight");
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

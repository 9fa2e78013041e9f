#include "model/importers.h"

#include "common/error.h"
#include "common/files.h"
#include "common/json_util.h"
#include "io/llama2c.h"
#include "io/pth_reader.h"
#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace atelier {

namespace {

std::string read_text(const fs::path& p) {
    return read_text_file(p.string());
}

std::string shape_str(const std::vector<int64_t>& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

std::vector<fs::path> files_matching(const fs::path& dir, const std::regex& re) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_regular_file() && std::regex_match(e.path().filename().string(), re))
            out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

int64_t file_size_or_zero(const fs::path& p) {
    std::error_code ec;
    auto s = fs::file_size(p, ec);
    return ec ? 0 : static_cast<int64_t>(s);
}

// A folder's tokenizer file: tokenizer.json when it is byte-level BPE (Llama 3, Qwen2), else
// tokenizer.model (Llama 2, Mistral and TinyLlama folders also ship a Metaspace tokenizer.json,
// which is the same SentencePiece model in another spelling).
std::string find_tokenizer(const std::vector<fs::path>& dirs) {
    for (const auto& d : dirs) {
        std::error_code ec;
        const fs::path json_path = d / "tokenizer.json", model_path = d / "tokenizer.model";
        const bool has_model = fs::is_regular_file(model_path, ec);
        if (fs::is_regular_file(json_path, ec)) {
            if (!has_model || read_text(json_path).find("\"ByteLevel\"") != std::string::npos)
                return json_path.string();
        }
        if (has_model) return model_path.string();
    }
    return "";
}

// llama2.c checkpoints in a folder: *.bin except its tokenizer files (tok512.bin, tokenizer.bin).
std::vector<fs::path> llama2c_files(const fs::path& dir) {
    auto all = files_matching(dir, std::regex(R"(.*\.bin)"));
    std::vector<fs::path> out;
    for (auto& f : all)
        if (f.filename().string().rfind("tok", 0) != 0) out.push_back(f);
    return out;
}

// First existing file among `names` in `dirs`.
std::string find_beside(const std::vector<fs::path>& dirs, const std::vector<std::string>& names) {
    for (const auto& d : dirs)
        for (const auto& n : names) {
            std::error_code ec;
            if (fs::is_regular_file(d / n, ec)) return (d / n).string();
        }
    return "";
}

// Concatenates 2-D row-major tensors along `dim` (0: stack rows, 1: join columns).
TensorData concat2d(const std::vector<const TensorData*>& parts, int dim, const std::string& where) {
    const TensorData& first = *parts[0];
    if (first.shape.size() != 2)
        throw Error(ErrorCode::ShapeMismatch, where, "expected a 2-D tensor to merge shards");
    const size_t es = dtype_size(first.dtype);
    int64_t rows = first.shape[0], cols = first.shape[1];
    int64_t total = 0;
    for (auto* p : parts) {
        if (p->dtype != first.dtype || p->shape.size() != 2 || p->shape[1 - dim] != first.shape[1 - dim])
            throw Error(ErrorCode::ShapeMismatch, where, "shards disagree on dtype or shape");
        total += p->shape[dim];
    }
    std::vector<int64_t> shape =
        dim == 0 ? std::vector<int64_t>{total, cols} : std::vector<int64_t>{rows, total};
    std::vector<char> out(static_cast<size_t>(shape[0] * shape[1]) * es);
    if (dim == 0) {
        size_t off = 0;
        for (auto* p : parts) {
            std::memcpy(out.data() + off, p->data, p->nbytes);
            off += p->nbytes;
        }
    } else {
        size_t col_off = 0;
        for (auto* p : parts) {
            const size_t row_bytes = static_cast<size_t>(p->shape[1]) * es;
            for (int64_t r = 0; r < rows; ++r)
                std::memcpy(out.data() + (static_cast<size_t>(r * total) * es) + col_off,
                            static_cast<const char*>(p->data) + r * row_bytes, row_bytes);
            col_off += row_bytes;
        }
    }
    return make_owned_tensor(first.dtype, shape, out.data(), out.size());
}

// Meta names -> HF names, with Q/K rows permuted to rotate-half order. `n_heads`/`n_kv_heads` as
// in params.json. Unknown keys (rope.freqs, adapter weights) are dropped.
TensorMap meta_to_hf(const TensorMap& meta, int64_t n_heads, int64_t n_kv_heads, const std::string& where) {
    static const std::pair<const char*, const char*> layer_names[] = {
        {"attention.wq.weight", "self_attn.q_proj.weight"},
        {"attention.wk.weight", "self_attn.k_proj.weight"},
        {"attention.wv.weight", "self_attn.v_proj.weight"},
        {"attention.wo.weight", "self_attn.o_proj.weight"},
        {"feed_forward.w1.weight", "mlp.gate_proj.weight"},
        {"feed_forward.w2.weight", "mlp.down_proj.weight"},
        {"feed_forward.w3.weight", "mlp.up_proj.weight"},
        {"attention_norm.weight", "input_layernorm.weight"},
        {"ffn_norm.weight", "post_attention_layernorm.weight"},
    };
    static const std::regex layer_re(R"(layers\.(\d+)\.(.+))");
    TensorMap hf;
    for (const auto& [name, t] : meta) {
        if (name == "tok_embeddings.weight") {
            hf["model.embed_tokens.weight"] = t;
        } else if (name == "norm.weight") {
            hf["model.norm.weight"] = t;
        } else if (name == "output.weight") {
            hf["lm_head.weight"] = t;
        } else {
            std::smatch m;
            if (!std::regex_match(name, m, layer_re)) continue;
            for (const auto& [from, to] : layer_names) {
                if (m[2] != from) continue;
                std::string key = "model.layers." + m[1].str() + "." + to;
                if (std::strcmp(from, "attention.wq.weight") == 0)
                    hf[key] = permute_rope_rows(t, n_heads, true);
                else if (std::strcmp(from, "attention.wk.weight") == 0)
                    hf[key] = permute_rope_rows(t, n_kv_heads, true);
                else
                    hf[key] = t;
            }
        }
    }
    (void)where;
    return hf;
}

// Cross-checks tensors against the config and finishes fields only the weights know.
void check_tensors(const Checkpoint& ck) {
    for (const auto& [name, shape] : expected_tensors(ck.config)) {
        auto it = ck.tensors.find(name);
        if (it == ck.tensors.end())
            throw Error(ErrorCode::MissingTensor, ck.source,
                        "tensor '" + name + "' is missing from the checkpoint");
        if (it->second.shape != shape)
            throw Error(ErrorCode::ShapeMismatch, ck.source,
                        "tensor '" + name + "' has shape " + shape_str(it->second.shape) +
                            " but the config implies " + shape_str(shape));
        DType d = it->second.dtype;
        if (d != DType::F32 && d != DType::F16 && d != DType::BF16)
            throw Error(
                ErrorCode::UnknownDtype, ck.source,
                "tensor '" + name + "' has dtype " + dtype_name(d) + "; weights must be F32, F16 or BF16");
    }
}

std::string dtype_to_torch_name(DType d) {
    switch (d) {
        case DType::BF16: return "bfloat16";
        case DType::F16: return "float16";
        default: return "float32";
    }
}

bool starts_with(const std::string& s, const char* prefix) {
    return s.rfind(prefix, 0) == 0;
}

// LLaVA folders: the language model's tensors under HF Llama names, the rest aside.
void split_llava_tensors(Checkpoint& ck, const fs::path& dir) {
    if (config_model_family(read_text(dir / "config.json")) != "llava") return;
    ck.multimodal = "llava";
    TensorMap lm, extra;
    for (auto& [name, t] : ck.tensors) {
        if (starts_with(name, "language_model.model."))
            lm["model." + name.substr(std::strlen("language_model.model."))] = t;
        else if (starts_with(name, "model.language_model."))
            lm["model." + name.substr(std::strlen("model.language_model."))] = t;
        else if (name == "language_model.lm_head.weight" || name == "lm_head.weight")
            lm["lm_head.weight"] = t;
        else if (starts_with(name, "model."))
            extra[name.substr(std::strlen("model."))] =
                t;  // model.vision_tower.*, model.multi_modal_projector.*
        else
            extra[name] = t;
    }
    ck.tensors = std::move(lm);
    ck.extra_tensors = std::move(extra);
}

Checkpoint load_hf(const fs::path& path) {
    Checkpoint ck;
    fs::path dir = fs::is_directory(path) ? path : path.parent_path();
    ck.config = ModelConfig::load(dir.string());
    ck.tensors = load_safetensors_dir(path.string());
    if (fs::is_directory(path)) {
        for (const auto& f : files_matching(dir, std::regex(R"(.*\.safetensors)")))
            ck.size_on_disk += file_size_or_zero(f);
    } else {
        ck.size_on_disk = file_size_or_zero(path);
    }
    split_llava_tensors(ck, dir);
    if (ck.config.tie_word_embeddings) ck.tensors.erase("lm_head.weight");
    ck.tokenizer_path = find_tokenizer({dir});
    return ck;
}

Checkpoint load_meta(const fs::path& dir) {
    Checkpoint ck;
    fs::path params_path = dir / "params.json";
    json params = parse_json(read_text(params_path), params_path.string(), "params.json");
    auto shards = files_matching(dir, std::regex(R"(consolidated\.\d+\.pth)"));
    if (shards.empty())
        throw Error(ErrorCode::FileNotFound, dir.string(), "no consolidated.NN.pth file beside params.json");

    std::vector<TensorMap> parts;
    for (const auto& s : shards) {
        parts.push_back(read_pth(s.string()));
        ck.size_on_disk += file_size_or_zero(s);
    }
    TensorMap meta;
    if (parts.size() == 1) {
        meta = std::move(parts[0]);
    } else {
        // Model-parallel shards (13B: 2, 70B: 8): column-parallel weights split rows, row-parallel
        // weights split columns, norms are replicated.
        // LLaMA 1/2 split the embedding by columns (ParallelEmbedding), Llama 3 by rows
        // (VocabParallelEmbedding): the shard's width tells which.
        const int64_t dim = params.value("dim", int64_t(0));
        auto cat_dim = [&](const std::string& n) -> int {
            if (n == "tok_embeddings.weight") {
                const auto& shape = parts[0].at(n).shape;
                return shape.size() == 2 && shape[1] == dim ? 0 : 1;
            }
            if (n == "output.weight") return 0;
            for (const char* s : {"wq.weight", "wk.weight", "wv.weight", "w1.weight", "w3.weight"})
                if (n.size() >= std::strlen(s) &&
                    n.compare(n.size() - std::strlen(s), std::string::npos, s) == 0)
                    return 0;
            for (const char* s : {"wo.weight", "w2.weight"})
                if (n.size() >= std::strlen(s) &&
                    n.compare(n.size() - std::strlen(s), std::string::npos, s) == 0)
                    return 1;
            return -1;
        };
        for (const auto& [name, t] : parts[0]) {
            int dim = cat_dim(name);
            if (dim < 0) {
                meta[name] = t;
                continue;
            }
            std::vector<const TensorData*> pieces;
            for (size_t i = 0; i < parts.size(); ++i) {
                auto it = parts[i].find(name);
                if (it == parts[i].end())
                    throw Error(ErrorCode::MissingTensor, shards[i].string(),
                                "shard lacks tensor '" + name + "'");
                pieces.push_back(&it->second);
            }
            meta[name] = concat2d(pieces, dim, dir.string());
        }
    }

    auto need = [&](const char* k) {
        if (!params.contains(k) || !params[k].is_number())
            throw Error(ErrorCode::BadConfig, params_path.string(),
                        std::string("params.json lacks '") + k + "'");
        return params[k].get<int64_t>();
    };
    ModelConfig& c = ck.config;
    c.hidden_size = need("dim");
    c.num_hidden_layers = need("n_layers");
    c.num_attention_heads = need("n_heads");
    c.num_key_value_heads = params.value("n_kv_heads", json()).is_number()
                                ? params["n_kv_heads"].get<int64_t>()
                                : c.num_attention_heads;
    // validate() below refuses non-positive counts; never divide by one first.
    c.head_dim = c.num_attention_heads > 0 ? c.hidden_size / c.num_attention_heads : 0;
    c.rms_norm_eps = params.value("norm_eps", 1e-5);
    c.rope_theta = params.value("rope_theta", 10000.0);
    auto emb = meta.find("tok_embeddings.weight");
    auto w1 = meta.find("layers.0.feed_forward.w1.weight");
    if (emb == meta.end() || emb->second.shape.size() != 2)
        throw Error(ErrorCode::MissingTensor, shards[0].string(),
                    "tensor 'tok_embeddings.weight' is missing");
    if (w1 == meta.end() || w1->second.shape.size() != 2)
        throw Error(ErrorCode::MissingTensor, shards[0].string(),
                    "tensor 'layers.0.feed_forward.w1.weight' is missing");
    c.vocab_size = emb->second.shape[0];
    c.intermediate_size = w1->second.shape[0];
    c.max_position_embeddings = params.value("max_seq_len", c.vocab_size >= 128000 ? 8192 : 2048);
    if (params.value("use_scaled_rope", false)) {
        c.rope_scaling.type = "llama3";
        c.rope_scaling.factor = params.value("rope_scaling_factor", 8.0);
    }
    c.tie_word_embeddings = meta.find("output.weight") == meta.end();
    c.torch_dtype = dtype_to_torch_name(emb->second.dtype);
    c.validate(params_path.string());

    ck.tensors = meta_to_hf(meta, c.num_attention_heads, c.num_key_value_heads, dir.string());
    ck.tokenizer_path = find_tokenizer({dir, dir.parent_path()});
    return ck;
}

Checkpoint load_llama2c(const fs::path& file) {
    Checkpoint ck;
    Llama2cFile f = read_llama2c(file.string());
    ck.size_on_disk = file_size_or_zero(file);
    ModelConfig& c = ck.config;
    c.hidden_size = f.dim;
    c.intermediate_size = f.hidden_dim;
    c.num_hidden_layers = f.n_layers;
    c.num_attention_heads = f.n_heads;
    c.num_key_value_heads = f.n_kv_heads;
    c.head_dim = f.dim / f.n_heads;
    c.vocab_size = f.vocab_size;
    c.max_position_embeddings = f.seq_len;
    c.rms_norm_eps = 1e-5;  // fixed in llama2.c's run.c
    c.rope_theta = 10000.0;
    c.tie_word_embeddings = f.shared_classifier;
    c.bos_token_id = 1;
    c.eos_token_id = 2;
    c.validate(file.string());
    ck.tensors = meta_to_hf(f.tensors, c.num_attention_heads, c.num_key_value_heads, file.string());
    // llama2.c ships its SentencePiece model as tokenizer.model or tokNNN.model beside the .bin.
    fs::path dir = file.parent_path();
    ck.tokenizer_path = find_tokenizer({dir});
    if (ck.tokenizer_path.empty()) {
        auto models = files_matching(dir, std::regex(R"(.*\.model)"));
        if (models.size() == 1) ck.tokenizer_path = models[0].string();
    }
    return ck;
}

}  // namespace

const char* checkpoint_format_name(CheckpointFormat f) {
    switch (f) {
        case CheckpointFormat::HuggingFace: return "hf";
        case CheckpointFormat::Meta: return "meta";
        case CheckpointFormat::Llama2c: return "llama2c";
    }
    return "?";
}

CheckpointFormat detect_checkpoint_format(const std::string& path_str) {
    fs::path path(path_str);
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(ErrorCode::FileNotFound, path_str, "no such file or folder");
    if (fs::is_directory(path, ec)) {
        if (fs::exists(path / "config.json")) return CheckpointFormat::HuggingFace;
        if (fs::exists(path / "params.json")) return CheckpointFormat::Meta;
        if (llama2c_files(path).size() == 1) return CheckpointFormat::Llama2c;
        throw Error(ErrorCode::UnsupportedFormat, path_str,
                    "folder has no config.json (Hugging Face), params.json (Meta) or single .bin (llama2.c)");
    }
    std::string ext = path.extension().string();
    if (ext == ".safetensors") return CheckpointFormat::HuggingFace;
    if (ext == ".pth") return CheckpointFormat::Meta;
    if (ext == ".bin") return CheckpointFormat::Llama2c;
    throw Error(ErrorCode::UnsupportedFormat, path_str,
                "file type '" + ext + "' is not a checkpoint Atelier reads (.safetensors, .pth, .bin)");
}

Checkpoint load_checkpoint(const std::string& path_str, const std::string& tokenizer_override) {
    fs::path path(path_str);
    Checkpoint ck;
    CheckpointFormat format = detect_checkpoint_format(path_str);
    switch (format) {
        case CheckpointFormat::HuggingFace: ck = load_hf(path); break;
        case CheckpointFormat::Meta:
            ck = load_meta(fs::is_directory(path) ? path : path.parent_path());
            break;
        case CheckpointFormat::Llama2c: {
            fs::path file = path;
            if (fs::is_directory(path)) file = llama2c_files(path).at(0);
            ck = load_llama2c(file);
            break;
        }
    }
    ck.format = format;
    ck.source = path_str;
    fs::path dir = fs::is_directory(path) ? path : path.parent_path();
    if (!tokenizer_override.empty()) {
        if (!fs::exists(tokenizer_override))
            throw Error(ErrorCode::FileNotFound, tokenizer_override, "tokenizer file not found");
        ck.tokenizer_path = tokenizer_override;
    }
    ck.tokenizer_config_path = find_beside({dir}, {"tokenizer_config.json"});
    ck.generation_config_path = find_beside({dir}, {"generation_config.json"});
    check_tensors(ck);
    return ck;
}

std::vector<std::pair<std::string, std::vector<int64_t>>> expected_tensors(const ModelConfig& c) {
    const int64_t d = c.hidden_size, q = c.num_attention_heads * c.head_dim, kv = c.kv_dim();
    const int64_t ff = c.intermediate_size;
    std::vector<std::pair<std::string, std::vector<int64_t>>> out;
    out.push_back({"model.embed_tokens.weight", {c.vocab_size, d}});
    for (int64_t l = 0; l < c.num_hidden_layers; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        out.push_back({p + "input_layernorm.weight", {d}});
        out.push_back({p + "self_attn.q_proj.weight", {q, d}});
        out.push_back({p + "self_attn.k_proj.weight", {kv, d}});
        out.push_back({p + "self_attn.v_proj.weight", {kv, d}});
        if (c.attention_bias) {
            out.push_back({p + "self_attn.q_proj.bias", {q}});
            out.push_back({p + "self_attn.k_proj.bias", {kv}});
            out.push_back({p + "self_attn.v_proj.bias", {kv}});
        }
        out.push_back({p + "self_attn.o_proj.weight", {d, q}});
        if (c.o_proj_bias()) out.push_back({p + "self_attn.o_proj.bias", {d}});
        out.push_back({p + "post_attention_layernorm.weight", {d}});
        out.push_back({p + "mlp.gate_proj.weight", {ff, d}});
        out.push_back({p + "mlp.up_proj.weight", {ff, d}});
        out.push_back({p + "mlp.down_proj.weight", {d, ff}});
        if (c.mlp_bias) {
            out.push_back({p + "mlp.gate_proj.bias", {ff}});
            out.push_back({p + "mlp.up_proj.bias", {ff}});
            out.push_back({p + "mlp.down_proj.bias", {d}});
        }
    }
    out.push_back({"model.norm.weight", {d}});
    if (!c.tie_word_embeddings) out.push_back({"lm_head.weight", {c.vocab_size, d}});
    return out;
}

TensorData permute_rope_rows(const TensorData& w, int64_t n_heads, bool to_hf) {
    // Meta keeps each head's rotary pairs interleaved (x0,x1),(x2,x3)...; HF's rotate-half wants the
    // first halves of all pairs, then the second halves: HF row p*(hd/2)+i = Meta row 2i+p.
    const int64_t rows = w.shape.at(0), cols = w.shape.size() > 1 ? w.shape[1] : 1;
    const int64_t hd = rows / n_heads, half = hd / 2;
    const size_t row_bytes = static_cast<size_t>(cols) * dtype_size(w.dtype);
    std::vector<char> out(w.nbytes);
    const char* src = static_cast<const char*>(w.data);
    for (int64_t h = 0; h < n_heads; ++h)
        for (int64_t i = 0; i < half; ++i)
            for (int64_t p = 0; p < 2; ++p) {
                int64_t meta_row = h * hd + 2 * i + p, hf_row = h * hd + p * half + i;
                int64_t from = to_hf ? meta_row : hf_row, to = to_hf ? hf_row : meta_row;
                std::memcpy(out.data() + to * row_bytes, src + from * row_bytes, row_bytes);
            }
    return make_owned_tensor(w.dtype, w.shape, out.data(), out.size());
}

void save_hf_folder(const Checkpoint& ck, const std::string& out_str) {
    fs::path out(out_str);
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw Error(ErrorCode::Io, out_str, "cannot create folder: " + ec.message());
    auto write_text = [](const fs::path& p, const std::string& text) { write_text_file(p.string(), text); };
    write_safetensors((out / "model.safetensors").string(), ck.tensors, {{"format", "pt"}});
    write_text(out / "config.json", ck.config.to_json());

    json gen = {{"do_sample", false}};
    if (ck.config.bos_token_id >= 0) gen["bos_token_id"] = ck.config.bos_token_id;
    if (ck.config.eos_token_id >= 0) gen["eos_token_id"] = ck.config.eos_token_id;
    auto copy = [](const std::string& from, const fs::path& to) {
        std::error_code ec;
        if (fs::exists(to, ec) && fs::equivalent(from, to, ec)) return;  // converting in place
        fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
        if (ec) throw Error(ErrorCode::Io, to.string(), "cannot copy " + from + ": " + ec.message());
    };
    if (!ck.generation_config_path.empty())
        copy(ck.generation_config_path, out / "generation_config.json");
    else
        write_text(out / "generation_config.json", gen.dump(2));

    if (!ck.tokenizer_path.empty()) {
        bool is_json = fs::path(ck.tokenizer_path).extension() == ".json";
        copy(ck.tokenizer_path, out / (is_json ? "tokenizer.json" : "tokenizer.model"));
        if (!ck.tokenizer_config_path.empty()) {
            copy(ck.tokenizer_config_path, out / "tokenizer_config.json");
        } else if (!is_json) {
            json tc = {{"tokenizer_class", "LlamaTokenizer"},
                       {"add_bos_token", true},
                       {"add_eos_token", false},
                       {"bos_token", "<s>"},
                       {"eos_token", "</s>"},
                       {"unk_token", "<unk>"},
                       {"model_max_length", ck.config.max_position_embeddings}};
            write_text(out / "tokenizer_config.json", tc.dump(2));
        }
    }
}

}  // namespace atelier

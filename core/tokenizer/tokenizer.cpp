// Shared tokenizer code: decoding, UTF-8-safe streaming, and loading a model folder (which file,
// and which bos/eos/stop ids its Hugging Face JSON files name).
#include "tokenizer/tokenizer.h"

#include "common/error.h"
#include "common/json_util.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace atelier {

namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";         // U+FFFD
constexpr const char* kSentencePieceSpace = "\xE2\x96\x81";  // U+2581 "▁"

// Length of the valid UTF-8 sequence starting at s[i]: > 0 valid, 0 when the bytes present are a
// valid but incomplete prefix (more bytes may complete it), < 0 invalid (-n: the maximal invalid
// prefix has n bytes and becomes one U+FFFD, as the Unicode standard recommends).
int utf8_sequence(const std::string& s, size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return 1;
    int need;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 3;
        if (b0 == 0xE0) lo = 0xA0;  // overlong
        if (b0 == 0xED) hi = 0x9F;  // surrogates
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4;
        if (b0 == 0xF0) lo = 0x90;  // overlong
        if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
    } else {
        return -1;
    }
    for (int k = 1; k < need; ++k) {
        if (i + k >= s.size()) return 0;
        const auto b = static_cast<unsigned char>(s[i + k]);
        const unsigned char l = k == 1 ? lo : 0x80, h = k == 1 ? hi : 0xBF;
        if (b < l || b > h) return -k;
    }
    return need;
}

// How invalid bytes become U+FFFD, as each reference decoder does it: libsentencepiece replaces
// every byte of a broken sequence; Hugging Face's ByteLevel decoder (Rust from_utf8_lossy) replaces
// each maximal invalid prefix once.
enum class Replace { EachByte, MaximalPrefix };

Replace replace_policy(const Tokenizer& tok) {
    return std::strcmp(tok.kind(), "sentencepiece") == 0 ? Replace::EachByte : Replace::MaximalPrefix;
}

// Appends the valid UTF-8 at the front of `in` to `out` (invalid bytes as U+FFFD) and returns how
// many bytes were consumed. An incomplete sequence at the end stays unconsumed unless `final`.
size_t take_utf8(const std::string& in, bool final, Replace policy, std::string& out) {
    size_t i = 0;
    while (i < in.size()) {
        const int n = utf8_sequence(in, i);
        if (n > 0) {
            out.append(in, i, static_cast<size_t>(n));
            i += static_cast<size_t>(n);
        } else if (n == 0 && !final) {
            break;  // may still be completed by the next token
        } else {
            out += kReplacement;
            const size_t bad = n < 0 ? static_cast<size_t>(-n) : in.size() - i;
            i += policy == Replace::EachByte ? 1 : bad;
        }
    }
    return i;
}

bool starts_with(const std::string& s, const std::string& prefix) {
    return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

// SentencePiece start-of-text rule: the first printed piece loses the space its "▁" stands for.
bool drops_leading_space(const Tokenizer& tok, int id) {
    return starts_with(tok.id_to_piece(id), kSentencePieceSpace);
}

std::optional<json> read_json_file(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(ErrorCode::Io, path.string(), "cannot open for reading");
    std::ostringstream ss;
    ss << f.rdbuf();
    return parse_json(ss.str(), path.string(), path.filename().string());
}

// tokenizer_config.json names tokens as "</s>" or {"content": "</s>", ...}; null means "none".
// Returns nullopt when the key is absent, "" when it is null.
std::optional<std::string> token_name(const json& cfg, const char* key, const fs::path& file) {
    auto it = cfg.find(key);
    if (it == cfg.end()) return std::nullopt;
    if (it->is_null()) return std::string();
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
        return (*it)["content"].get<std::string>();
    throw Error(ErrorCode::BadJson, file.string(),
                std::string(key) + " is neither a string nor {\"content\": ...}");
}

// generation_config.json / config.json write ids as an int, a list of ints, or null.
std::vector<int> token_ids(const json& cfg, const char* key, const fs::path& file) {
    std::vector<int> ids;
    auto it = cfg.find(key);
    if (it == cfg.end() || it->is_null()) return ids;
    if (it->is_number_integer()) {
        ids.push_back(it->get<int>());
    } else if (it->is_array()) {
        for (const auto& v : *it) {
            if (!v.is_number_integer())
                throw Error(ErrorCode::BadJson, file.string(), std::string(key) + " holds a non-integer");
            ids.push_back(v.get<int>());
        }
    } else {
        throw Error(ErrorCode::BadJson, file.string(), std::string(key) + " is neither an int nor a list");
    }
    return ids;
}

int checked_id(const Tokenizer& tok, int id, const char* key, const fs::path& file) {
    if (id < 0 || id >= tok.vocab_size())
        throw Error(ErrorCode::Tokenizer, file.string(),
                    std::string(key) + " " + std::to_string(id) + " is outside the vocabulary of " +
                        std::to_string(tok.vocab_size()));
    return id;
}

int named_id(const Tokenizer& tok, const std::string& piece, const char* key, const fs::path& file) {
    auto id = tok.piece_to_id(piece);
    if (!id)
        throw Error(ErrorCode::Tokenizer, file.string(),
                    std::string(key) + " '" + piece + "' is not in the vocabulary");
    return *id;
}

}  // namespace

void Tokenizer::add_stop_id(int id) {
    if (id < 0 || std::find(m_stop_ids.begin(), m_stop_ids.end(), id) != m_stop_ids.end()) return;
    m_stop_ids.push_back(id);
}

std::string Tokenizer::decode(const std::vector<int>& ids, bool strip_leading_space) const {
    std::string bytes;
    bool first = true;
    for (int id : ids) {
        if (is_control(id)) continue;
        std::string piece = token_bytes(id);
        if (first && strip_leading_space && !piece.empty() && piece[0] == ' ' &&
            drops_leading_space(*this, id))
            piece.erase(0, 1);
        first = false;
        bytes += piece;
    }
    std::string out;
    take_utf8(bytes, /*final=*/true, replace_policy(*this), out);
    return out;
}

StreamingDetokenizer::StreamingDetokenizer(const Tokenizer& tok, bool strip_leading_space)
    : m_tok(tok), m_strip(strip_leading_space) {}

std::string StreamingDetokenizer::push(int id) {
    if (m_tok.is_control(id)) return {};
    std::string piece = m_tok.token_bytes(id);
    if (m_first && m_strip && !piece.empty() && piece[0] == ' ' && drops_leading_space(m_tok, id))
        piece.erase(0, 1);
    m_first = false;
    m_pending += piece;
    std::string out;
    m_pending.erase(0, take_utf8(m_pending, /*final=*/false, replace_policy(m_tok), out));
    return out;
}

std::string StreamingDetokenizer::flush() {
    std::string out;
    take_utf8(m_pending, /*final=*/true, replace_policy(m_tok), out);
    m_pending.clear();
    return out;
}

void apply_special_token_config(Tokenizer& tok, const std::string& folder) {
    const fs::path dir(folder);
    const fs::path tc_path = dir / "tokenizer_config.json";
    const fs::path gc_path = dir / "generation_config.json";
    const fs::path mc_path = dir / "config.json";

    std::optional<int> bos, eos;
    bool bos_named = false, eos_named = false;  // tokenizer_config.json had the key (maybe null)
    if (auto tc = read_json_file(tc_path)) {
        if (!tc->is_object()) throw Error(ErrorCode::BadJson, tc_path.string(), "top level is not an object");
        if (auto name = token_name(*tc, "bos_token", tc_path)) {
            bos_named = true;
            bos = name->empty() ? -1 : named_id(tok, *name, "bos_token", tc_path);
        }
        if (auto name = token_name(*tc, "eos_token", tc_path)) {
            if (!name->empty()) {
                eos_named = true;
                eos = named_id(tok, *name, "eos_token", tc_path);
            }
        }
    }

    // generation_config.json first: it is what Hugging Face's generate() stops on.
    std::vector<int> extra_eos;
    for (const fs::path& p : {gc_path, mc_path}) {
        auto cfg = read_json_file(p);
        if (!cfg) continue;
        if (!cfg->is_object()) throw Error(ErrorCode::BadJson, p.string(), "top level is not an object");
        std::vector<int> b = token_ids(*cfg, "bos_token_id", p);
        if (!bos_named && !bos && !b.empty()) bos = checked_id(tok, b[0], "bos_token_id", p);
        for (int id : token_ids(*cfg, "eos_token_id", p)) {
            checked_id(tok, id, "eos_token_id", p);
            if (!eos_named && !eos)
                eos = id;
            else
                extra_eos.push_back(id);
        }
    }

    if (bos) tok.set_bos_id(*bos);
    if (eos) tok.set_eos_id(*eos);
    for (int id : extra_eos)
        if (id != tok.eos_id()) tok.add_stop_id(id);
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
    std::error_code ec;
    const fs::path p(path);
    if (!fs::exists(p, ec)) throw Error(ErrorCode::FileNotFound, path, "no such file or folder");

    fs::path file, dir;
    if (fs::is_directory(p, ec)) {
        dir = p;
        const fs::path json_path = p / "tokenizer.json", model_path = p / "tokenizer.model";
        const bool has_json = fs::is_regular_file(json_path, ec),
                   has_model = fs::is_regular_file(model_path, ec);
        if (has_json && has_model) {
            // LLaMA-2/Mistral folders ship a Metaspace tokenizer.json converted from the
            // SentencePiece model; only byte-level BPE files are read here, so take the original.
            std::ifstream f(json_path, std::ios::binary);
            std::ostringstream ss;
            ss << f.rdbuf();
            file = ss.str().find("\"ByteLevel\"") != std::string::npos ? json_path : model_path;
        } else if (has_json) {
            file = json_path;
        } else if (has_model) {
            file = model_path;
        } else {
            throw Error(ErrorCode::FileNotFound, path,
                        "folder has neither tokenizer.json nor tokenizer.model");
        }
    } else {
        file = p;
        dir = p.parent_path();
    }

    std::unique_ptr<Tokenizer> tok = file.extension() == ".json"
                                         ? load_bpe_tokenizer(file.string())
                                         : load_sentencepiece_tokenizer(file.string());
    const fs::path folder = dir.empty() ? fs::path(".") : dir;
    // Added tokens (LLaVA's <image>, <pad>) past a SentencePiece vocabulary.
    if (auto tc = read_json_file(folder / "tokenizer_config.json"); tc && tc->is_object()) {
        auto it = tc->find("added_tokens_decoder");
        if (it != tc->end() && it->is_object())
            for (const auto& [key, value] : it->items()) {
                if (!value.is_object() || !value.contains("content") || !value["content"].is_string())
                    continue;
                try {
                    tok->add_special_token(value["content"].get<std::string>(), std::stoi(key));
                } catch (const std::exception&) {
                }
            }
    }
    if (auto at = read_json_file(folder / "added_tokens.json"); at && at->is_object())
        for (const auto& [content, id] : at->items())
            if (id.is_number_integer()) tok->add_special_token(content, id.get<int>());
    apply_special_token_config(*tok, folder.string());
    return tok;
}

size_t Tokenizer::checked_id(int id, const std::string& where) const {
    if (id < 0 || id >= vocab_size())
        throw Error(ErrorCode::Tokenizer, where,
                    "token id " + std::to_string(id) + " outside [0, " + std::to_string(vocab_size()) + ")");
    return static_cast<size_t>(id);
}

}  // namespace atelier

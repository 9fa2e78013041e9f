// Hugging Face tokenizer.json with a byte-level BPE model (GPT-2 lineage: Llama 3, Qwen 2).
//
// Pipeline, as in the `tokenizers` library: added tokens are cut out of the text first; the rest is
// pre-tokenized (regex splits, PCRE2 with Unicode properties), each pre-token's UTF-8 bytes become
// byte-level symbols (GPT-2's bytes_to_unicode table), and ranked merges join adjacent symbols,
// lowest rank first, until none applies.
#include "common/error.h"
#include "common/json_util.h"
#include "tokenizer/tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <queue>
#include <sstream>
#include <unordered_map>

namespace fs = std::filesystem;
using nlohmann::json;

namespace atelier {

namespace {

// The largest token id accepted (2^21 - 1; real vocabularies stop near 256K).
constexpr int64_t kMaxTokenId = (int64_t(1) << 21) - 1;

// GPT-2's pre-tokenizer, used by a ByteLevel pre-tokenizer with use_regex = true.
constexpr const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

struct PcreCodeFree {
    void operator()(pcre2_code* c) const { pcre2_code_free(c); }
};
using PcreCode = std::unique_ptr<pcre2_code, PcreCodeFree>;
struct PcreMatchDataFree {
    void operator()(pcre2_match_data* m) const { pcre2_match_data_free(m); }
};
using PcreMatchData = std::unique_ptr<pcre2_match_data, PcreMatchDataFree>;

void append_utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Length of the valid UTF-8 character at s[i], or 0 when the bytes there are not one.
size_t utf8_char_len(const std::string& s, size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return 1;
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 3;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 4;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (i + need > s.size()) return 0;
    for (size_t k = 1; k < need; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return 0;
    }
    return need;
}

// Decodes the UTF-8 character at s[i] (assumed valid), advancing i.
uint32_t next_codepoint(const std::string& s, size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    size_t n = b0 < 0x80 ? 1 : b0 < 0xE0 ? 2 : b0 < 0xF0 ? 3 : 4;
    if (i + n > s.size()) n = 1;
    uint32_t cp = n == 1 ? b0 : n == 2 ? (b0 & 0x1F) : n == 3 ? (b0 & 0x0F) : (b0 & 0x07);
    for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += n;
    return cp;
}

// GPT-2 bytes_to_unicode(): printable Latin-1 bytes map to themselves, the other 68 bytes to
// U+0100 upwards, so every byte is a visible character ("Ġ" = space, "Ċ" = newline).
struct ByteLevelTable {
    std::array<std::string, 256> byte_to_char;
    std::unordered_map<uint32_t, unsigned char> char_to_byte;
    ByteLevelTable() {
        uint32_t next = 256;
        for (int b = 0; b < 256; ++b) {
            const bool printable =
                (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            const uint32_t cp = printable ? static_cast<uint32_t>(b) : next++;
            append_utf8(byte_to_char[b], cp);
            char_to_byte[cp] = static_cast<unsigned char>(b);
        }
    }
};
const ByteLevelTable& byte_level() {
    static const ByteLevelTable table;
    return table;
}

enum class SplitBehavior { Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous };

struct PreTokenizerStep {
    enum Kind { Split, ByteLevel } kind = Split;
    std::shared_ptr<pcre2_code> regex;  // Split, and ByteLevel with use_regex
    SplitBehavior behavior = SplitBehavior::Isolated;
    bool invert = false;
    bool add_prefix_space = false;  // ByteLevel
};

std::string read_text(const std::string& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec))
        throw Error(ErrorCode::FileNotFound, path, "tokenizer.json not found");
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(ErrorCode::Io, path, "cannot open for reading");
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

class BpeTokenizer final : public Tokenizer {
public:
    BpeTokenizer(const std::string& path) : m_path(path) {
        const json root = parse_json(read_text(path), path, "tokenizer.json");
        try {
            load(root);
        } catch (const json::exception& e) {  // a field of the wrong type
            throw Error(ErrorCode::BadJson, path, e.what());
        }
    }

    std::vector<int> encode(const std::string& text, bool add_bos, bool parse_special) const override {
        std::vector<int> ids;
        if (add_bos && m_bos >= 0) ids.push_back(m_bos);
        PcreMatchData md(pcre2_match_data_create(4, nullptr));
        if (!md) throw std::bad_alloc();

        size_t chunk_start = 0, i = 0;
        while (i < text.size()) {
            size_t begin = i, end = 0;
            const AddedToken* hit = match_added(text, i, parse_special, end);
            if (!hit) {
                ++i;
                continue;
            }
            if (hit->lstrip)
                while (begin > chunk_start && is_space(text[begin - 1])) --begin;
            if (hit->rstrip)
                while (end < text.size() && is_space(text[end])) ++end;
            encode_chunk(text.substr(chunk_start, begin - chunk_start), md.get(), ids);
            ids.push_back(hit->id);
            i = chunk_start = end;
        }
        encode_chunk(text.substr(chunk_start), md.get(), ids);
        return ids;
    }

    std::string token_bytes(int id) const override { return m_bytes[checked(id)]; }
    int vocab_size() const override { return static_cast<int>(m_pieces.size()); }
    std::string id_to_piece(int id) const override { return m_pieces[checked(id)]; }

    std::optional<int> piece_to_id(const std::string& piece) const override {
        for (const auto& a : m_added)
            if (a.content == piece) return a.id;
        auto it = m_vocab.find(piece);
        if (it == m_vocab.end()) return std::nullopt;
        return it->second;
    }

    bool is_control(int id) const override { return id >= 0 && id < vocab_size() && m_control[id]; }
    const char* kind() const override { return "bpe"; }

private:
    struct AddedToken {
        int id;
        std::string content;
        bool special, lstrip, rstrip;
    };
    struct TrieNode {
        std::unordered_map<unsigned char, int> next;
        int added = -1;  // index into m_added ending here
    };

    static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
    }

    void load(const json& root) {
        if (!root.is_object()) throw Error(ErrorCode::BadJson, m_path, "top level is not an object");
        const json& model = root.at("model");
        const std::string type = model.value("type", std::string("BPE"));
        if (type != "BPE")
            throw Error(ErrorCode::Tokenizer, m_path,
                        "model.type '" + type + "' is not supported (BPE only)");
        for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
            auto it = model.find(key);
            if (it != model.end() && it->is_string() && !it->get<std::string>().empty())
                throw Error(ErrorCode::Tokenizer, m_path, std::string("model.") + key + " is not supported");
        }
        m_ignore_merges = model.value("ignore_merges", false);

        load_normalizer(root.contains("normalizer") ? root["normalizer"] : json());
        bool has_byte_level = false;
        load_pre_tokenizer(root.contains("pre_tokenizer") ? root["pre_tokenizer"] : json(), has_byte_level);
        if (!has_byte_level)
            throw Error(ErrorCode::Tokenizer, m_path,
                        "pre_tokenizer has no ByteLevel step: only byte-level BPE is supported");

        // Vocabulary: model.vocab, then added_tokens (which may extend it). Ids index tables sized
        // max_id + 1: an id is refused beyond kMaxTokenId (the largest real vocabularies are ~256K)
        // rather than allocating gigabytes for a damaged or hostile file.
        int max_id = -1;
        auto token_id = [&](const json& v, const std::string& what) {
            if (!v.is_number_integer())
                throw Error(ErrorCode::Tokenizer, m_path, "the id of " + what + " is not an integer");
            const int64_t id = v.get<int64_t>();
            if (id < 0 || id > kMaxTokenId)
                throw Error(ErrorCode::Tokenizer, m_path,
                            "the id of " + what + " is " + std::to_string(id) + " (ids go from 0 to " +
                                std::to_string(kMaxTokenId) + ")");
            return static_cast<int>(id);
        };
        for (const auto& [piece, v] : model.at("vocab").items()) {
            const int id = token_id(v, "'" + piece + "'");
            m_vocab.emplace(piece, id);
            max_id = std::max(max_id, id);
        }
        if (root.contains("added_tokens") && root["added_tokens"].is_array()) {
            for (const auto& t : root["added_tokens"]) {
                AddedToken a{token_id(t.at("id"), "an added token"), t.at("content").get<std::string>(),
                             t.value("special", false), t.value("lstrip", false), t.value("rstrip", false)};
                if (a.id < 0 || a.content.empty())
                    throw Error(ErrorCode::Tokenizer, m_path,
                                "added token with id " + std::to_string(a.id) + " is invalid");
                max_id = std::max(max_id, a.id);
                m_added.push_back(std::move(a));
            }
        }
        const size_t n = static_cast<size_t>(max_id + 1);
        m_pieces.assign(n, std::string());
        m_bytes.assign(n, std::string());
        m_control.assign(n, false);
        for (const auto& [piece, id] : m_vocab) m_pieces[id] = piece;
        for (const auto& a : m_added) {
            m_pieces[a.id] = a.content;
            m_control[a.id] = a.special;
        }
        for (size_t id = 0; id < n; ++id)
            if (!m_control[id]) m_bytes[id] = piece_bytes(m_pieces[id]);
        build_added_trie();

        // Byte-level symbols every word starts from.
        const auto& table = byte_level();
        for (int b = 0; b < 256; ++b) {
            auto it = m_vocab.find(table.byte_to_char[b]);
            m_byte_ids[b] = it == m_vocab.end() ? -1 : it->second;
        }
        if (model.contains("unk_token") && model["unk_token"].is_string()) {
            auto it = m_vocab.find(model["unk_token"].get<std::string>());
            if (it != m_vocab.end()) m_unk = it->second;
        }

        load_merges(model.contains("merges") ? model["merges"] : json::array());
        load_post_processor(root.contains("post_processor") ? root["post_processor"] : json());
    }

    void load_normalizer(const json& n) {
        if (n.is_null()) return;
        const std::string type = n.value("type", std::string());
        // NFC is accepted but not applied: text is taken as already NFC (what editors produce).
        if (type == "NFC") return;
        if (type == "Sequence" && n.contains("normalizers")) {
            for (const auto& s : n["normalizers"]) load_normalizer(s);
            return;
        }
        throw Error(ErrorCode::Tokenizer, m_path, "normalizer '" + type + "' is not supported");
    }

    void load_pre_tokenizer(const json& p, bool& found_byte_level) {
        if (p.is_null()) return;
        const std::string type = p.value("type", std::string());
        if (type == "Sequence") {
            for (const auto& s : p.at("pretokenizers")) load_pre_tokenizer(s, found_byte_level);
        } else if (type == "Split") {
            PreTokenizerStep step;
            step.kind = PreTokenizerStep::Split;
            const json& pattern = p.at("pattern");
            if (pattern.contains("Regex")) {
                step.regex = compile(pattern["Regex"].get<std::string>(), false);
            } else if (pattern.contains("String")) {
                step.regex = compile(pattern["String"].get<std::string>(), true);
            } else {
                throw Error(ErrorCode::Tokenizer, m_path, "Split pattern is neither Regex nor String");
            }
            step.behavior = behavior(p.value("behavior", std::string("Isolated")));
            step.invert = p.value("invert", false);
            m_steps.push_back(std::move(step));
        } else if (type == "ByteLevel") {
            found_byte_level = true;
            PreTokenizerStep step;
            step.kind = PreTokenizerStep::ByteLevel;
            step.add_prefix_space = p.value("add_prefix_space", false);
            if (p.value("use_regex", true)) step.regex = compile(kGpt2Pattern, false);
            m_steps.push_back(std::move(step));
        } else {
            throw Error(ErrorCode::Tokenizer, m_path, "pre_tokenizer '" + type + "' is not supported");
        }
    }

    SplitBehavior behavior(const std::string& name) const {
        if (name == "Isolated") return SplitBehavior::Isolated;
        if (name == "Removed") return SplitBehavior::Removed;
        if (name == "MergedWithPrevious") return SplitBehavior::MergedWithPrevious;
        if (name == "MergedWithNext") return SplitBehavior::MergedWithNext;
        if (name == "Contiguous") return SplitBehavior::Contiguous;
        throw Error(ErrorCode::Tokenizer, m_path, "Split behavior '" + name + "' is not supported");
    }

    std::shared_ptr<pcre2_code> compile(const std::string& pattern, bool literal) const {
        int err = 0;
        PCRE2_SIZE offset = 0;
        uint32_t flags = PCRE2_UTF | PCRE2_UCP | (literal ? PCRE2_LITERAL : 0);
        pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), flags,
                                         &err, &offset, nullptr);
        if (!code) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(err, msg, sizeof msg);
            throw Error(ErrorCode::Tokenizer, m_path,
                        "pre-tokenizer regex does not compile at offset " + std::to_string(offset) + ": " +
                            reinterpret_cast<const char*>(msg));
        }
        pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // optional speed-up; the interpreter is the fallback
        return std::shared_ptr<pcre2_code>(code, PcreCodeFree());
    }

    void load_merges(const json& merges) {
        int rank = 0;
        for (const auto& m : merges) {
            std::string a, b;
            if (m.is_string()) {
                const std::string s = m.get<std::string>();
                const size_t sp = s.find(' ');
                if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
                    throw Error(ErrorCode::Tokenizer, m_path,
                                "merge '" + s + "' is not two pieces separated by one space");
                a = s.substr(0, sp);
                b = s.substr(sp + 1);
            } else if (m.is_array() && m.size() == 2) {
                a = m[0].get<std::string>();
                b = m[1].get<std::string>();
            } else {
                throw Error(ErrorCode::Tokenizer, m_path,
                            "merge #" + std::to_string(rank) + " is neither \"a b\" nor [a, b]");
            }
            auto ia = m_vocab.find(a), ib = m_vocab.find(b), iab = m_vocab.find(a + b);
            if (ia == m_vocab.end() || ib == m_vocab.end() || iab == m_vocab.end())
                throw Error(ErrorCode::Tokenizer, m_path,
                            "merge '" + a + " " + b + "' uses a piece missing from the vocabulary");
            m_merges.emplace(pair_key(ia->second, ib->second),
                             std::make_pair(rank, iab->second));  // first wins
            ++rank;
        }
    }

    // Llama 3 adds <|begin_of_text|> through a TemplateProcessing post-processor, not a config.
    void load_post_processor(const json& p) {
        if (p.is_null()) return;
        const std::string type = p.value("type", std::string());
        if (type == "Sequence" && p.contains("processors")) {
            for (const auto& s : p["processors"]) load_post_processor(s);
        } else if (type == "TemplateProcessing" && p.contains("single") && p["single"].is_array() &&
                   !p["single"].empty()) {
            const json& first = p["single"][0];
            if (first.contains("SpecialToken")) {
                if (auto id = piece_to_id(first["SpecialToken"].value("id", std::string()))) m_bos = *id;
            }
        }
    }

    // HF's ByteLevel decoder: map every char back to its byte; a piece with a char outside the
    // table (an added token such as "<|x|> y") is taken as plain UTF-8.
    static std::string piece_bytes(const std::string& piece) {
        const auto& table = byte_level();
        std::string out;
        size_t i = 0;
        while (i < piece.size()) {
            if (utf8_char_len(piece, i) == 0) return piece;
            auto it = table.char_to_byte.find(next_codepoint(piece, i));
            if (it == table.char_to_byte.end()) return piece;
            out += static_cast<char>(it->second);
        }
        return out;
    }

    void build_added_trie() {
        m_trie.assign(1, TrieNode());
        for (size_t k = 0; k < m_added.size(); ++k) {
            int node = 0;
            for (unsigned char c : m_added[k].content) {
                auto it = m_trie[node].next.find(c);
                if (it == m_trie[node].next.end()) {
                    m_trie.push_back(TrieNode());
                    const int child = static_cast<int>(m_trie.size()) - 1;
                    m_trie[node].next.emplace(c, child);
                    node = child;
                } else {
                    node = it->second;
                }
            }
            if (m_trie[node].added < 0) m_trie[node].added = static_cast<int>(k);
        }
    }

    // Longest added token starting at text[pos] that may match (specials only with parse_special).
    const AddedToken* match_added(const std::string& text, size_t pos, bool parse_special,
                                  size_t& end) const {
        const AddedToken* best = nullptr;
        int node = 0;
        for (size_t i = pos; i < text.size(); ++i) {
            auto it = m_trie[node].next.find(static_cast<unsigned char>(text[i]));
            if (it == m_trie[node].next.end()) break;
            node = it->second;
            const int k = m_trie[node].added;
            if (k >= 0 && (parse_special || !m_added[k].special)) {
                best = &m_added[k];
                end = i + 1;
            }
        }
        return best;
    }

    // Text without added tokens: valid UTF-8 runs go through the pre-tokenizer; stray bytes that are
    // not UTF-8 (the byte-level alphabet covers them) become pre-tokens of their own.
    void encode_chunk(const std::string& chunk, pcre2_match_data* md, std::vector<int>& ids) const {
        size_t run = 0, i = 0;
        while (i < chunk.size()) {
            const size_t n = utf8_char_len(chunk, i);
            if (n > 0) {
                i += n;
                continue;
            }
            encode_valid(chunk.substr(run, i - run), md, ids);
            bpe(chunk.substr(i, 1), ids);
            run = ++i;
        }
        encode_valid(chunk.substr(run), md, ids);
    }

    void encode_valid(const std::string& text, pcre2_match_data* md, std::vector<int>& ids) const {
        if (text.empty()) return;
        std::vector<std::string> words{text};
        for (const auto& step : m_steps) {
            std::vector<std::string> next;
            for (auto& w : words) {
                if (step.kind == PreTokenizerStep::ByteLevel) {
                    if (step.add_prefix_space && (w.empty() || w[0] != ' ')) w.insert(w.begin(), ' ');
                    if (step.regex)
                        split(w, *step.regex, SplitBehavior::Isolated, false, md, next);
                    else
                        next.push_back(std::move(w));
                } else {
                    split(w, *step.regex, step.behavior, step.invert, md, next);
                }
            }
            words = std::move(next);
        }
        for (const auto& w : words) bpe(w, ids);
    }

    // One split pass over `s` (valid UTF-8), appending the pieces to `out` as the behavior says.
    void split(const std::string& s, const pcre2_code& re, SplitBehavior behavior, bool invert,
               pcre2_match_data* md, std::vector<std::string>& out) const {
        struct Span {
            size_t begin, end;
            bool match;
        };
        std::vector<Span> spans;
        size_t offset = 0, last = 0;
        const auto* subject = reinterpret_cast<PCRE2_SPTR>(s.data());
        while (offset <= s.size()) {
            const int rc = pcre2_match(&re, subject, s.size(), offset, PCRE2_NO_UTF_CHECK, md, nullptr);
            if (rc == PCRE2_ERROR_NOMATCH) break;
            if (rc < 0) {
                PCRE2_UCHAR msg[256];
                pcre2_get_error_message(rc, msg, sizeof msg);
                throw Error(ErrorCode::Tokenizer, m_path,
                            std::string("pre-tokenizer regex failed: ") + reinterpret_cast<const char*>(msg));
            }
            const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
            const size_t mb = ov[0], me = ov[1];
            if (me == mb) {  // empty match: step over one character
                if (mb >= s.size()) break;
                offset = mb + std::max<size_t>(1, utf8_char_len(s, mb));
                continue;
            }
            if (mb > last) spans.push_back({last, mb, false});
            spans.push_back({mb, me, true});
            last = offset = me;
        }
        if (last < s.size()) spans.push_back({last, s.size(), false});
        if (invert)
            for (auto& sp : spans) sp.match = !sp.match;

        std::string carry;  // MergedWithNext: the match waiting for the next piece
        for (size_t k = 0; k < spans.size(); ++k) {
            const Span& sp = spans[k];
            std::string piece = s.substr(sp.begin, sp.end - sp.begin);
            switch (behavior) {
                case SplitBehavior::Isolated: out.push_back(std::move(piece)); break;
                case SplitBehavior::Removed:
                    if (!sp.match) out.push_back(std::move(piece));
                    break;
                case SplitBehavior::MergedWithPrevious:
                    if (sp.match && k > 0 && !out.empty())
                        out.back() += piece;
                    else
                        out.push_back(std::move(piece));
                    break;
                case SplitBehavior::MergedWithNext:
                    if (sp.match) {
                        carry += piece;
                    } else {
                        out.push_back(carry + piece);
                        carry.clear();
                    }
                    break;
                case SplitBehavior::Contiguous:
                    if (sp.match && k > 0 && spans[k - 1].match)
                        out.back() += piece;
                    else
                        out.push_back(std::move(piece));
                    break;
            }
        }
        if (!carry.empty()) out.push_back(std::move(carry));
    }

    static uint64_t pair_key(int a, int b) {
        return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
    }

    // Byte-level BPE of one pre-token. Merges the adjacent pair of lowest rank (leftmost on a tie)
    // until no pair has a merge, like tokenizers' Word::merge_all.
    void bpe(const std::string& word, std::vector<int>& ids) const {
        if (word.empty()) return;
        {
            std::lock_guard<std::mutex> lock(m_cache_mutex);
            auto it = m_cache.find(word);
            if (it != m_cache.end()) {
                ids.insert(ids.end(), it->second.begin(), it->second.end());
                return;
            }
        }
        std::vector<int> result = bpe_uncached(word);
        ids.insert(ids.end(), result.begin(), result.end());
        std::lock_guard<std::mutex> lock(m_cache_mutex);
        if (m_cache.size() >= kCacheLimit) m_cache.clear();
        m_cache.emplace(word, std::move(result));
    }

    std::vector<int> bpe_uncached(const std::string& word) const {
        if (m_ignore_merges) {
            std::string chars;
            for (unsigned char b : word) chars += byte_level().byte_to_char[b];
            auto it = m_vocab.find(chars);
            if (it != m_vocab.end()) return {it->second};
        }
        struct Symbol {
            int id, prev, next;  // prev/next: neighbour indices, -1 at the ends; id -1: merged away
        };
        std::vector<Symbol> sym;
        sym.reserve(word.size());
        for (size_t k = 0; k < word.size(); ++k) {
            int id = m_byte_ids[static_cast<unsigned char>(word[k])];
            if (id < 0) {
                if (!m_unk) {
                    char hex[8];
                    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(word[k]));
                    throw Error(ErrorCode::Tokenizer, m_path,
                                std::string("byte ") + hex + " has no token and there is no unk_token");
                }
                id = *m_unk;
            }
            sym.push_back({id, static_cast<int>(k) - 1, k + 1 < word.size() ? static_cast<int>(k) + 1 : -1});
        }

        struct Candidate {
            int rank, pos, left, right;  // left/right: the ids the pair had when queued
            bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
        };
        std::priority_queue<Candidate, std::vector<Candidate>, std::greater<Candidate>> queue;
        auto push_pair = [&](int pos) {
            if (pos < 0 || sym[pos].next < 0) return;
            const int right = sym[pos].next;
            auto it = m_merges.find(pair_key(sym[pos].id, sym[right].id));
            if (it != m_merges.end()) queue.push({it->second.first, pos, sym[pos].id, sym[right].id});
        };
        for (int k = 0; k + 1 < static_cast<int>(sym.size()); ++k) push_pair(k);

        while (!queue.empty()) {
            const Candidate c = queue.top();
            queue.pop();
            Symbol& left = sym[c.pos];
            if (left.id != c.left || left.next < 0 || sym[left.next].id != c.right) continue;  // stale
            const int right = left.next;
            left.id = m_merges.at(pair_key(c.left, c.right)).second;
            left.next = sym[right].next;
            if (left.next >= 0) sym[left.next].prev = c.pos;
            sym[right].id = -1;
            push_pair(left.prev);
            push_pair(c.pos);
        }

        std::vector<int> out;
        for (int k = 0; k >= 0; k = sym[k].next) out.push_back(sym[k].id);
        return out;
    }

    size_t checked(int id) const { return checked_id(id, m_path); }

    static constexpr size_t kCacheLimit = 1 << 16;

    std::string m_path;
    std::unordered_map<std::string, int> m_vocab;  // model.vocab: piece -> id
    std::vector<std::string> m_pieces;             // id -> piece (vocab or added content)
    std::vector<std::string> m_bytes;              // id -> token_bytes()
    std::vector<bool> m_control;                   // special added tokens
    std::vector<AddedToken> m_added;
    std::vector<TrieNode> m_trie;                                // over added-token contents
    std::unordered_map<uint64_t, std::pair<int, int>> m_merges;  // (left, right) -> (rank, merged id)
    std::array<int, 256> m_byte_ids{};  // byte -> id of its byte-level char, -1 if absent
    std::optional<int> m_unk;
    bool m_ignore_merges = false;
    std::vector<PreTokenizerStep> m_steps;
    mutable std::mutex m_cache_mutex;
    mutable std::unordered_map<std::string, std::vector<int>> m_cache;  // pre-token bytes -> ids
};

}  // namespace

std::unique_ptr<Tokenizer> load_bpe_tokenizer(const std::string& tokenizer_json_path) {
    auto tok = std::make_unique<BpeTokenizer>(tokenizer_json_path);
    const fs::path dir = fs::path(tokenizer_json_path).parent_path();
    apply_special_token_config(*tok, dir.empty() ? "." : dir.string());
    return tok;
}

}  // namespace atelier

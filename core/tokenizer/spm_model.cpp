#include "tokenizer/spm_model.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <queue>
#include <sstream>

namespace atelier {

namespace {

constexpr const char* kSpace = "\xE2\x96\x81";  // "▁"

// A minimal protobuf wire-format reader: varints, fixed32, length-delimited fields.
class ProtoReader {
public:
    ProtoReader(const char* p, size_t n, const std::string& where) : m_p(p), m_end(p + n), m_where(where) {}
    bool done() const { return m_p >= m_end; }
    // Reads a field key; returns false at end.
    bool next(uint32_t* field, uint32_t* wire) {
        if (done()) return false;
        uint64_t key = varint();
        *field = static_cast<uint32_t>(key >> 3);
        *wire = static_cast<uint32_t>(key & 7);
        return true;
    }
    uint64_t varint() {
        uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_p >= m_end) fail("truncated varint");
            uint8_t b = static_cast<uint8_t>(*m_p++);
            v |= uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        fail("varint too long");
        return 0;
    }
    float fixed32_float() {
        if (m_end - m_p < 4) fail("truncated float");
        float f;
        std::memcpy(&f, m_p, 4);
        m_p += 4;
        return f;
    }
    ProtoReader sub() {
        uint64_t n = varint();
        if (n > static_cast<uint64_t>(m_end - m_p)) fail("length past the end of the message");
        ProtoReader r(m_p, n, m_where);
        m_p += n;
        return r;
    }
    std::string bytes() {
        ProtoReader r = sub();
        return std::string(r.m_p, r.m_end);
    }
    void skip(uint32_t wire) {
        switch (wire) {
            case 0: varint(); break;
            case 1: advance(8); break;
            case 2: sub(); break;
            case 5: advance(4); break;
            default: fail("unsupported wire type " + std::to_string(wire));
        }
    }
    [[noreturn]] void fail(const std::string& what) const {
        throw Error(ErrorCode::Tokenizer, m_where, "not a valid SentencePiece model: " + what);
    }

private:
    void advance(size_t n) {
        if (static_cast<size_t>(m_end - m_p) < n) fail("truncated field");
        m_p += n;
    }
    const char* m_p;
    const char* m_end;
    const std::string& m_where;
};

size_t utf8_len(unsigned char c) {
    if (c < 0x80) return 1;
    if ((c >> 5) == 0x6) return 2;
    if ((c >> 4) == 0xe) return 3;
    if ((c >> 3) == 0x1e) return 4;
    return 1;  // invalid lead byte: one byte on its own
}

}  // namespace

SpmModel SpmModel::load(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw Error(ErrorCode::FileNotFound, path, "tokenizer model not found");
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    if (!f) throw Error(ErrorCode::Io, path, "cannot read file");
    return parse(ss.str(), path);
}

SpmModel SpmModel::parse(const std::string& bytes, const std::string& where) {
    SpmModel m;
    std::string normalizer;
    bool charsmap = false;
    std::fill(std::begin(m.m_byte_ids), std::end(m.m_byte_ids), -1);
    ProtoReader top(bytes.data(), bytes.size(), where);
    uint32_t field, wire;
    while (top.next(&field, &wire)) {
        if (field == 1 && wire == 2) {  // repeated SentencePiece pieces
            ProtoReader r = top.sub();
            Piece piece;
            uint32_t f, w;
            while (r.next(&f, &w)) {
                if (f == 1 && w == 2)
                    piece.text = r.bytes();
                else if (f == 2 && w == 5)
                    piece.score = r.fixed32_float();
                else if (f == 3 && w == 0)
                    piece.type = static_cast<PieceType>(r.varint());
                else
                    r.skip(w);
            }
            m.m_pieces.push_back(std::move(piece));
        } else if (field == 2 && wire == 2) {  // TrainerSpec
            ProtoReader r = top.sub();
            uint32_t f, w;
            while (r.next(&f, &w)) {
                if (w != 0) {
                    r.skip(w);
                    continue;
                }
                uint64_t v = r.varint();
                switch (f) {
                    case 3: m.m_algorithm = static_cast<Algorithm>(v); break;
                    case 35: m.m_byte_fallback = v != 0; break;
                    case 40: m.m_unk = static_cast<int>(static_cast<int32_t>(v)); break;
                    case 41: m.m_bos = static_cast<int>(static_cast<int32_t>(v)); break;
                    case 42: m.m_eos = static_cast<int>(static_cast<int32_t>(v)); break;
                    case 43: m.m_pad = static_cast<int>(static_cast<int32_t>(v)); break;
                    default: break;
                }
            }
        } else if (field == 3 && wire == 2) {  // NormalizerSpec
            ProtoReader r = top.sub();
            uint32_t f, w;
            while (r.next(&f, &w)) {
                if (f == 1 && w == 2) {
                    normalizer = r.bytes();
                    continue;
                }
                if (f == 2 && w == 2) {
                    charsmap = !r.bytes().empty();
                    continue;
                }
                if (w != 0) {
                    r.skip(w);
                    continue;
                }
                uint64_t v = r.varint();
                if (f == 3)
                    m.m_add_dummy_prefix = v != 0;
                else if (f == 4)
                    m.m_remove_extra_whitespaces = v != 0;
                else if (f == 5)
                    m.m_escape_whitespaces = v != 0;
            }
        } else {
            top.skip(wire);
        }
    }
    if (m.m_pieces.empty()) top.fail("no pieces");
    // LLaMA-family models use the identity normalizer; Unicode rules (nmt_nfkc...) ship as a compiled
    // character map we do not implement, and guessing would silently change token ids.
    if (charsmap && normalizer != "identity")
        throw Error(
            ErrorCode::Tokenizer, where,
            "SentencePiece normalization rule '" + normalizer + "' is not supported (only 'identity')");
    if (m.m_algorithm != Algorithm::Bpe && m.m_algorithm != Algorithm::Unigram)
        throw Error(ErrorCode::Tokenizer, where,
                    "SentencePiece WORD/CHAR models are not supported (only BPE and unigram)");

    m.m_min_score = std::numeric_limits<float>::max();
    for (size_t i = 0; i < m.m_pieces.size(); ++i) {
        const Piece& p = m.m_pieces[i];
        const int id = static_cast<int>(i);
        if (!std::isfinite(p.score))
            top.fail("piece " + std::to_string(i) + " has a score that is not a finite number");
        if (p.text.size() > kMaxPieceBytes)
            top.fail("piece " + std::to_string(i) + " is " + std::to_string(p.text.size()) +
                     " bytes long (at most " + std::to_string(kMaxPieceBytes) + ")");
        if (p.type == PieceType::Byte) {
            // "<0xNN>"
            unsigned v = 0;
            if (p.text.size() == 6 && std::sscanf(p.text.c_str(), "<0x%02X>", &v) == 1 && v < 256)
                m.m_byte_ids[v] = id;
            continue;
        }
        if (p.type == PieceType::Unused) continue;
        m.m_index.emplace(p.text, id);
        if (p.type == PieceType::UserDefined) m.m_user_defined.push_back(p.text);
        if (p.type == PieceType::Normal) m.m_min_score = std::min(m.m_min_score, p.score);
        if ((p.type == PieceType::Normal || p.type == PieceType::UserDefined) && !p.text.empty()) {
            int node = 0;
            for (unsigned char c : p.text) {
                const uint64_t key = static_cast<uint64_t>(node) << 8 | c;
                auto it = m.m_trie_next.find(key);
                if (it == m.m_trie_next.end()) {
                    it = m.m_trie_next.emplace(key, static_cast<int>(m.m_trie_piece.size())).first;
                    m.m_trie_piece.push_back(-1);
                }
                node = it->second;
            }
            if (m.m_trie_piece[static_cast<size_t>(node)] < 0) m.m_trie_piece[static_cast<size_t>(node)] = id;
        }
    }
    std::sort(m.m_user_defined.begin(), m.m_user_defined.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    auto valid = [&](int id) { return id >= 0 && static_cast<size_t>(id) < m.m_pieces.size(); };
    if (!valid(m.m_unk)) top.fail("unk_id " + std::to_string(m.m_unk) + " is outside the vocabulary");
    if (!valid(m.m_bos)) m.m_bos = -1;
    if (!valid(m.m_eos)) m.m_eos = -1;
    return m;
}

int SpmModel::piece_id(const std::string& piece) const {
    auto it = m_index.find(piece);
    if (it != m_index.end()) return it->second;
    for (int b = 0; b < 256; ++b)
        if (m_byte_ids[b] >= 0 && m_pieces[m_byte_ids[b]].text == piece) return m_byte_ids[b];
    return -1;
}

std::string SpmModel::normalize(const std::string& text) const {
    std::string s = text;
    if (m_remove_extra_whitespaces) {
        std::string out;
        bool pending_space = false;
        for (char c : s) {
            if (c == ' ') {
                pending_space = !out.empty();
                continue;
            }
            if (pending_space) out += ' ';
            pending_space = false;
            out += c;
        }
        s = out;
    }
    if (s.empty()) return s;
    if (m_add_dummy_prefix) s.insert(0, " ");
    if (!m_escape_whitespaces) return s;
    std::string out;
    out.reserve(s.size() * 2);
    for (char c : s) {
        if (c == ' ')
            out += kSpace;
        else
            out += c;
    }
    return out;
}

void SpmModel::append_unknown(const std::string& chars, std::vector<int>& out) const {
    if (!m_byte_fallback) {
        // SentencePiece merges a run of unknown characters into one <unk>.
        if (out.empty() || out.back() != m_unk) out.push_back(m_unk);
        return;
    }
    for (unsigned char b : chars) out.push_back(m_byte_ids[b] >= 0 ? m_byte_ids[b] : m_unk);
}

std::vector<int> SpmModel::encode(const std::string& text) const {
    std::string norm = normalize(text);
    if (norm.empty()) return {};
    return m_algorithm == Algorithm::Bpe ? encode_bpe(norm) : encode_unigram(norm);
}

std::vector<int> SpmModel::encode_bpe(const std::string& s) const {
    // Symbols: user-defined pieces whole, otherwise one UTF-8 character each; then repeatedly merge
    // the adjacent pair whose concatenation is a piece with the highest score (leftmost on ties).
    struct Symbol {
        size_t begin, len;
        int prev, next;
        bool fixed;  // user-defined: never merged
    };
    std::vector<Symbol> sym;
    for (size_t i = 0; i < s.size();) {
        size_t len = 0;
        bool fixed = false;
        for (const auto& u : m_user_defined)
            if (s.compare(i, u.size(), u) == 0) {
                len = u.size();
                fixed = true;
                break;
            }
        if (!len) len = std::min(utf8_len(static_cast<unsigned char>(s[i])), s.size() - i);
        sym.push_back({i, len, static_cast<int>(sym.size()) - 1, static_cast<int>(sym.size()) + 1, fixed});
        i += len;
    }
    sym.back().next = -1;

    struct Pair {
        float score;
        int left, right;
        size_t len;  // combined length when queued; stale entries are skipped
    };
    auto worse = [](const Pair& a, const Pair& b) {
        return a.score < b.score || (a.score == b.score && a.left > b.left);
    };
    std::priority_queue<Pair, std::vector<Pair>, decltype(worse)> queue(worse);
    auto try_pair = [&](int l, int r) {
        if (l < 0 || r < 0 || sym[l].fixed || sym[r].fixed) return;
        auto it = m_index.find(s.substr(sym[l].begin, sym[l].len + sym[r].len));
        if (it == m_index.end() || m_pieces[it->second].type != PieceType::Normal) return;
        queue.push({m_pieces[it->second].score, l, r, sym[l].len + sym[r].len});
    };
    for (size_t i = 0; i + 1 < sym.size(); ++i) try_pair(static_cast<int>(i), static_cast<int>(i + 1));
    while (!queue.empty()) {
        Pair p = queue.top();
        queue.pop();
        Symbol& l = sym[p.left];
        if (l.len == 0 || l.next != p.right || sym[p.right].len == 0 || l.len + sym[p.right].len != p.len)
            continue;
        Symbol& r = sym[p.right];
        l.len += r.len;
        l.next = r.next;
        r.len = 0;
        if (r.next >= 0) sym[r.next].prev = p.left;
        try_pair(l.prev, p.left);
        try_pair(p.left, l.next);
    }
    std::vector<int> out;
    for (int i = 0; i >= 0; i = sym[i].next) {
        std::string piece = s.substr(sym[i].begin, sym[i].len);
        auto it = m_index.find(piece);
        if (it != m_index.end())
            out.push_back(it->second);
        else
            append_unknown(piece, out);
    }
    return out;
}

std::vector<int> SpmModel::encode_unigram(const std::string& s) const {
    // Viterbi over all segmentations into known pieces; an unknown character costs min_score - 10.
    // Scores add up in double (finite float scores, validated on load, cannot overflow there).
    const size_t n = s.size();
    const double unk_score = double(m_min_score) - 10.0;
    const double unreached = -std::numeric_limits<double>::infinity();
    std::vector<double> best(n + 1, unreached);
    std::vector<int> from(n + 1, -1), piece_of(n + 1, -1);
    best[0] = 0;
    for (size_t i = 0; i < n; ++i) {
        if (best[i] == unreached) continue;
        bool any = false;
        const size_t char_len = std::min(utf8_len(static_cast<unsigned char>(s[i])), n - i);
        int node = 0;
        for (size_t len = 1; i + len <= n; ++len) {
            auto next = m_trie_next.find(static_cast<uint64_t>(node) << 8 |
                                         static_cast<unsigned char>(s[i + len - 1]));
            if (next == m_trie_next.end()) break;  // no piece starts with these bytes
            node = next->second;
            const int id = m_trie_piece[static_cast<size_t>(node)];
            if (id < 0) continue;
            const Piece& p = m_pieces[static_cast<size_t>(id)];
            const double score = best[i] + (p.type == PieceType::UserDefined ? 0.0 : double(p.score));
            if (len == char_len) any = true;
            if (score > best[i + len]) {
                best[i + len] = score;
                from[i + len] = static_cast<int>(i);
                piece_of[i + len] = id;
            }
        }
        if (!any && best[i] + unk_score > best[i + char_len]) {
            best[i + char_len] = best[i] + unk_score;
            from[i + char_len] = static_cast<int>(i);
            piece_of[i + char_len] = -1;
        }
    }
    std::vector<std::pair<size_t, int>> path;  // (begin, piece or -1)
    for (size_t e = n; e > 0; e = static_cast<size_t>(from[e])) {
        // Every character can be taken as unknown, so the end is always reached; never trace a
        // lattice that is not.
        if (from[e] < 0) throw Error(ErrorCode::Tokenizer, "SentencePiece", "the text cannot be segmented");
        path.push_back({static_cast<size_t>(from[e]), piece_of[e]});
    }
    std::reverse(path.begin(), path.end());
    std::vector<int> out;
    for (size_t k = 0; k < path.size(); ++k) {
        const size_t begin = path[k].first, end = k + 1 < path.size() ? path[k + 1].first : n;
        if (path[k].second >= 0)
            out.push_back(path[k].second);
        else
            append_unknown(s.substr(begin, end - begin), out);
    }
    return out;
}

}  // namespace atelier

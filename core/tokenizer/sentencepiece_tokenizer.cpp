// SentencePiece tokenizer (`tokenizer.model`): our SpmModel encoder (tokenizer/spm_model.h) plus
// byte-exact token_bytes() for streaming and the splitting of written special tokens ("<s>").
#include "common/error.h"
#include "tokenizer/tokenizer.h"

#include "tokenizer/spm_model.h"

#include <algorithm>
#include <filesystem>

namespace atelier {

namespace {

constexpr const char* kSpaceSymbol = "\xE2\x96\x81";       // "▁" stands for a space
constexpr const char* kUnknownSurface = " \xE2\x81\x87 ";  // " ⁇ ", as spm decodes <unk>

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

class SentencePieceTokenizer final : public Tokenizer {
public:
    explicit SentencePieceTokenizer(const std::string& path) : m_path(path), m_sp(SpmModel::load(path)) {
        using Type = SpmModel::PieceType;
        const auto& pieces = m_sp.pieces();
        const int n = static_cast<int>(pieces.size());
        m_bytes.resize(static_cast<size_t>(n));
        m_control.resize(static_cast<size_t>(n));
        for (int id = 0; id < n; ++id) {
            const std::string& piece = pieces[id].text;
            const Type type = pieces[id].type;
            m_control[id] = type == Type::Control;
            if (m_control[id]) {
                m_bytes[id].clear();
            } else if (type == Type::Unknown) {
                m_bytes[id] = kUnknownSurface;
            } else if (type == Type::Byte) {
                // "<0xNN>"
                if (piece.size() != 6 || hex_digit(piece[3]) < 0 || hex_digit(piece[4]) < 0)
                    throw Error(ErrorCode::Tokenizer, path, "byte piece '" + piece + "' is not <0xNN>");
                m_bytes[id] =
                    std::string(1, static_cast<char>(hex_digit(piece[3]) * 16 + hex_digit(piece[4])));
            } else {
                m_bytes[id] = replace_space_symbol(piece);
            }
            // Written forms of control tokens and <unk>: what parse_special splits on. User-defined
            // pieces are already kept whole by the encoder.
            if ((m_control[id] || type == Type::Unknown) && !piece.empty()) m_specials.push_back({piece, id});
        }
        std::sort(m_specials.begin(), m_specials.end(),
                  [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
        m_bos = m_sp.bos_id();
        m_eos = m_sp.eos_id();
    }

    std::vector<int> encode(const std::string& text, bool add_bos, bool parse_special) const override {
        std::vector<int> ids;
        if (add_bos && m_bos >= 0) ids.push_back(m_bos);
        if (!parse_special) {
            encode_plain(text, ids);
            return ids;
        }
        // Like Hugging Face's LlamaTokenizer (legacy mode): text between specials is encoded on its
        // own, so each chunk gets SentencePiece's dummy-prefix space.
        size_t chunk_start = 0, i = 0;
        while (i < text.size()) {
            const std::pair<std::string, int>* hit = nullptr;
            for (const auto& sp : m_specials)
                if (text.compare(i, sp.first.size(), sp.first) == 0) {
                    hit = &sp;  // longest first
                    break;
                }
            if (!hit) {
                ++i;
                continue;
            }
            encode_plain(text.substr(chunk_start, i - chunk_start), ids);
            ids.push_back(hit->second);
            i += hit->first.size();
            chunk_start = i;
        }
        encode_plain(text.substr(chunk_start), ids);
        return ids;
    }

    std::string token_bytes(int id) const override { return m_bytes[checked(id)]; }
    int vocab_size() const override { return static_cast<int>(m_bytes.size()); }
    std::string id_to_piece(int id) const override {
        const size_t i = checked(id);
        if (i < m_sp.pieces().size()) return m_sp.pieces()[i].text;
        for (const auto& [text, added] : m_added)
            if (added == id) return text;
        return "";
    }

    std::optional<int> piece_to_id(const std::string& piece) const override {
        const int id = m_sp.piece_id(piece);
        if (id >= 0) return id;
        for (const auto& [text, added] : m_added)
            if (text == piece) return added;
        return std::nullopt;
    }

    void add_special_token(const std::string& content, int id) override {
        const int base = static_cast<int>(m_sp.pieces().size());
        if (id < base || id > base + (1 << 20) || content.empty()) return;
        if (id >= vocab_size()) {
            m_bytes.resize(static_cast<size_t>(id) + 1);
            m_control.resize(static_cast<size_t>(id) + 1, true);
        }
        m_control[id] = true;
        m_bytes[id].clear();
        m_added.push_back({content, id});
        m_specials.push_back({content, id});
        std::sort(m_specials.begin(), m_specials.end(),
                  [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
    }

    bool is_control(int id) const override { return id >= 0 && id < vocab_size() && m_control[id]; }
    const char* kind() const override { return "sentencepiece"; }

private:
    static std::string replace_space_symbol(const std::string& piece) {
        std::string out;
        out.reserve(piece.size());
        for (size_t i = 0; i < piece.size();) {
            if (piece.compare(i, 3, kSpaceSymbol) == 0) {
                out += ' ';
                i += 3;
            } else {
                out += piece[i++];
            }
        }
        return out;
    }

    void encode_plain(const std::string& text, std::vector<int>& ids) const {
        if (text.empty()) return;
        std::vector<int> part = m_sp.encode(text);
        ids.insert(ids.end(), part.begin(), part.end());
    }

    size_t checked(int id) const { return checked_id(id, m_path); }

    std::string m_path;
    SpmModel m_sp;
    std::vector<std::string> m_bytes;  // token_bytes() per id
    std::vector<bool> m_control;
    std::vector<std::pair<std::string, int>> m_specials;  // longest first
    std::vector<std::pair<std::string, int>> m_added;     // added tokens past the model's vocabulary
};

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& model_path) {
    return std::make_unique<SentencePieceTokenizer>(model_path);
}

}  // namespace atelier

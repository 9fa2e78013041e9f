// Our own reader and encoder for SentencePiece `.model` files (LLaMA 1/2, TinyLlama, Mistral,
// Vicuna, llama2.c). Why not libsentencepiece: it embeds its own protobuf runtime, which collides
// with the one LibTorch loads (a crash at process start); a model file is a small protobuf we can
// parse ourselves. The unit tests check this encoder against libsentencepiece token for token.
//
//   atelier::SpmModel m = atelier::SpmModel::load("tokenizer.model");
//   std::vector<int> ids = m.encode("Hello world");  // no bos; dummy prefix per the model
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace atelier {

class SpmModel {
public:
    enum class PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };
    enum class Algorithm { Unigram = 1, Bpe = 2, Word = 3, Char = 4 };
    struct Piece {
        std::string text;
        float score = 0;
        PieceType type = PieceType::Normal;
    };

    // The longest piece accepted (SentencePiece's own trainer caps pieces at 16 characters): a model
    // with a longer one is refused, so encoding stays linear in the text.
    static constexpr size_t kMaxPieceBytes = 1024;

    // Throws atelier::Error (FileNotFound, Tokenizer) naming the file and the problem: also for a
    // piece whose score is not a finite number or that is longer than kMaxPieceBytes.
    static SpmModel load(const std::string& path);
    static SpmModel parse(const std::string& bytes, const std::string& where);

    std::vector<int> encode(const std::string& text) const;

    const std::vector<Piece>& pieces() const { return m_pieces; }
    int piece_id(const std::string& piece) const;  // -1 when absent
    Algorithm algorithm() const { return m_algorithm; }
    int unk_id() const { return m_unk; }
    int bos_id() const { return m_bos; }
    int eos_id() const { return m_eos; }
    bool add_dummy_prefix() const { return m_add_dummy_prefix; }
    bool byte_fallback() const { return m_byte_fallback; }

private:
    std::string normalize(const std::string& text) const;
    std::vector<int> encode_bpe(const std::string& normalized) const;
    std::vector<int> encode_unigram(const std::string& normalized) const;
    void append_unknown(const std::string& chars, std::vector<int>& out) const;

    std::vector<Piece> m_pieces;
    std::unordered_map<std::string, int> m_index;  // normal, user-defined, unknown, control pieces
    std::vector<std::string> m_user_defined;       // matched whole before anything else
    int m_byte_ids[256];
    Algorithm m_algorithm = Algorithm::Unigram;
    int m_unk = 0, m_bos = 1, m_eos = 2, m_pad = -1;
    bool m_byte_fallback = false;
    bool m_add_dummy_prefix = true, m_remove_extra_whitespaces = true, m_escape_whitespaces = true;
    float m_min_score = 0;
    // A byte trie of the pieces the unigram lattice uses (normal and user-defined): the pieces
    // starting at a position are found in one walk, O(longest piece), not one lookup per length.
    std::unordered_map<uint64_t, int> m_trie_next;  // (node << 8 | byte) -> child node
    std::vector<int> m_trie_piece{-1};              // node -> piece id ending there, or -1
};

}  // namespace atelier

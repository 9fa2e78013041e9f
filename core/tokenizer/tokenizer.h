// Tokenizers: SentencePiece (`tokenizer.model`) and Hugging Face byte-level BPE (`tokenizer.json`),
// behind one interface, plus a streaming detokenizer that never emits half a UTF-8 character.
//
//   auto tok = atelier::load_tokenizer("model_dir");        // finds tokenizer.json or tokenizer.model
//   std::vector<int> ids = tok->encode("Once upon a time", /*add_bos=*/true);
//   atelier::StreamingDetokenizer detok(*tok);
//   for (int id : generated) std::cout << detok.push(id);  // complete UTF-8 only
//   std::cout << detok.flush();
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace atelier {

class Tokenizer {
public:
    virtual ~Tokenizer() = default;

    // Encodes plain text. Special/added tokens written in `text` (e.g. "<|eot_id|>") are recognised
    // as single tokens only when `parse_special` is true (chat templates); user text passes false.
    virtual std::vector<int> encode(const std::string& text, bool add_bos,
                                    bool parse_special = false) const = 0;

    // The exact bytes token `id` contributes to the output (SentencePiece "▁" -> " ", byte
    // fallback "<0x0A>" -> "\n", BPE byte-level chars -> raw bytes). Control tokens give "".
    virtual std::string token_bytes(int id) const = 0;

    // Decodes a whole sequence as the reference tokenizer does (SentencePiece drops the space
    // that starts the first piece when `strip_leading_space` is true; control tokens skipped).
    // The result is valid UTF-8: broken byte sequences become U+FFFD, one per byte for
    // SentencePiece (as libsentencepiece), one per maximal broken prefix for BPE (as HF ByteLevel).
    virtual std::string decode(const std::vector<int>& ids, bool strip_leading_space = true) const;

    virtual int vocab_size() const = 0;
    virtual std::string id_to_piece(int id) const = 0;                           // raw piece text
    virtual std::optional<int> piece_to_id(const std::string& piece) const = 0;  // exact match
    virtual bool is_control(int id) const = 0;  // bos/eos/special: not printed

    int bos_id() const { return m_bos; }
    int eos_id() const { return m_eos; }
    // Extra ids that end generation (e.g. Llama-3 <|eot_id|>, Qwen <|im_end|>).
    const std::vector<int>& stop_ids() const { return m_stop_ids; }
    void set_bos_id(int id) { m_bos = id; }
    void set_eos_id(int id) { m_eos = id; }
    void add_stop_id(int id);

    virtual const char* kind() const = 0;  // "sentencepiece" | "bpe"

    // Hugging Face "added tokens" beyond the model file's vocabulary (LLaVA's <image> = 32000,
    // <pad>): `id` becomes a control token written as `content`, recognised by parse_special.
    // Ids inside the existing vocabulary are left alone. Tokenizers that carry their added tokens
    // in their own file (tokenizer.json) ignore this.
    virtual void add_special_token(const std::string& content, int id) {}

protected:
    // `id` as an index, or ErrorCode::Tokenizer naming `where` when outside [0, vocab_size()).
    size_t checked_id(int id, const std::string& where) const;

    int m_bos = -1;
    int m_eos = -1;
    std::vector<int> m_stop_ids;
};

// SentencePiece model file (LLaMA 1/2, TinyLlama, Mistral, Vicuna, stories260K).
std::unique_ptr<Tokenizer> load_sentencepiece_tokenizer(const std::string& model_path);

// Hugging Face tokenizer.json with a ByteLevel BPE model (Llama 3, Qwen 2): pre-tokenizer regex
// from the file (Unicode-aware, PCRE2), merges (both "a b" and ["a","b"] spellings), added/special
// tokens. bos/eos/stop ids come from the sibling JSON files (see apply_special_token_config), bos
// otherwise from a TemplateProcessing post-processor. Only byte-level BPE is read: a tokenizer.json
// without a ByteLevel pre-tokenizer (Metaspace, WordPiece, Unigram) throws ErrorCode::Tokenizer.
std::unique_ptr<Tokenizer> load_bpe_tokenizer(const std::string& tokenizer_json_path);

// `path` is a tokenizer file (.model / .json) or a folder holding tokenizer.json or tokenizer.model
// (tokenizer.json preferred). bos/eos/stop ids are completed from tokenizer_config.json,
// generation_config.json and config.json in the folder when present.
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

// Completes bos/eos/stop ids of `tok` from the Hugging Face files in `folder` (each optional):
// tokenizer_config.json bos_token/eos_token (a string or {"content": ...}) win; otherwise
// generation_config.json, then config.json bos_token_id/eos_token_id (an int or a list: the first
// is eos, every further id becomes a stop id). Throws ErrorCode::BadJson for unreadable JSON and
// ErrorCode::Tokenizer for a named token or id the vocabulary lacks.
void apply_special_token_config(Tokenizer& tok, const std::string& folder);

// Feeds token ids, returns text as soon as it forms complete UTF-8 characters.
class StreamingDetokenizer {
public:
    // `strip_leading_space`: drop the single leading space of the first emitted piece when that
    // piece starts with "▁" (SentencePiece start-of-text convention; BPE pieces are never
    // stripped). False when continuing after a prompt. Pushes concatenated equal decode().
    explicit StreamingDetokenizer(const Tokenizer& tok, bool strip_leading_space = false);
    std::string push(int id);  // complete characters now available (maybe "")
    std::string flush();       // whatever is left; invalid trailing bytes become U+FFFD
private:
    const Tokenizer& m_tok;
    std::string m_pending;
    bool m_strip;
    bool m_first = true;
};

}  // namespace atelier

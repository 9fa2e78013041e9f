// Chat templates: turn a conversation into the exact prompt a model was trained on.
//
// Rendering yields segments rather than one string, so special tokens are never confused with
// user text and so training (later) can mask everything except assistant replies.
//
//   auto tpl = atelier::ChatTemplate::detect(tokenizer_config_json_text);   // or ::by_name("llama-3")
//   std::vector<atelier::ChatMessage> msgs = {{"system", "Be brief."}, {"user", "Hi"}};
//   atelier::Rendered r = tpl.render(msgs, /*add_generation_prompt=*/true);
//   std::vector<int> ids = atelier::encode_rendered(r, tokenizer);
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace atelier {

class Tokenizer;

struct ChatMessage {
    std::string role;  // "system" | "user" | "assistant"
    std::string content;
};

struct Segment {
    std::string text;
    bool special = false;    // text is one special token's piece, e.g. "<|eot_id|>" or "<s>"
    bool trainable = false;  // part of an assistant reply (the loss is taken here)
};

struct Rendered {
    std::vector<Segment> segments;
    std::string to_string() const;  // concatenated, for display and debugging
};

enum class TemplateKind { Alpaca, Vicuna, Llama2, Llama3, ChatML };

class ChatTemplate {
public:
    explicit ChatTemplate(TemplateKind kind) : m_kind(kind) {}

    // Names: "alpaca", "vicuna", "llama-2", "llama-3", "chatml". Throws ErrorCode::Template.
    static ChatTemplate by_name(const std::string& name);
    static std::vector<std::string> names();
    // Recognises the template from tokenizer_config.json text (its "chat_template" Jinja string,
    // then the tokenizer class / special tokens). nullopt when nothing matches.
    static std::optional<ChatTemplate> detect(const std::string& tokenizer_config_json);

    TemplateKind kind() const { return m_kind; }
    std::string name() const;
    std::string title()
        const;  // as people write it: "Llama 3", "Vicuna v1.1" (a proper name, not translated)
    Rendered render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const;
    // Strings that end an assistant turn in the rendered text (e.g. "###" for Vicuna) in addition
    // to the tokenizer's eos/stop ids.
    std::vector<std::string> stop_strings() const;
    // Special segments that end an assistant turn ("<|eot_id|>", "<|im_end|>", "<eos>"), spelled as
    // in render(): resolve them like encode_rendered does to get ids the generator stops on.
    std::vector<std::string> stop_tokens() const;

private:
    TemplateKind m_kind;
};

// Tokenizes rendered segments: specials looked up as single tokens, text encoded without bos
// (bos, where the template wants it, is a special segment). `trainable_mask` (optional) receives
// one flag per id.
//
// Special segments "<bos>" and "<eos>" mean the tokenizer's bos_id()/eos_id(), so the Alpaca,
// Vicuna and LLaMA-2 templates work with any tokenizer ("<bos>" is left out when the tokenizer has
// no bos); every other special text is looked up with piece_to_id (ErrorCode::Tokenizer if absent).
// Consecutive text segments are encoded together, as the model saw them in one string, and a
// token is trainable when any of its bytes comes from a trainable segment; if the token bytes do
// not reproduce the text (a normalising SentencePiece model), each segment is encoded alone.
std::vector<int> encode_rendered(const Rendered& r, const Tokenizer& tok,
                                 std::vector<bool>* trainable_mask = nullptr);

}  // namespace atelier

namespace atelier {

// The template a model folder asks for: `name` when given (throws ErrorCode::Template if unknown),
// else detected from its tokenizer_config.json, else Alpaca (LLaMA-Adapter's default).
ChatTemplate template_for_model(const std::string& tokenizer_config_path, const std::string& name = "");

// Makes the tokenizer stop generation on the template's end-of-turn tokens (Llama-3 <|eot_id|>,
// ChatML <|im_end|>) even when the model folder lists only its eos. Tokens missing from the
// vocabulary are ignored (the template's stop strings still apply).
void add_template_stop_ids(const ChatTemplate& tpl, Tokenizer& tok);

}  // namespace atelier

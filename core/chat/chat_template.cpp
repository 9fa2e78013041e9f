// The five chat formats, each written out as its reference renders it:
//   alpaca   LLaMA-Adapter / Stanford Alpaca PROMPT_DICT["prompt_no_input"], one block per turn
//   vicuna   FastChat "vicuna_v1.1" (SeparatorStyle.ADD_COLON_TWO, sep " ", sep2 "</s>")
//   llama-2  Meta's llama/generation.py chat_completion ([INST], <<SYS>>, <s>/</s> per turn)
//   llama-3  Meta-Llama-3-Instruct's tokenizer_config.json chat_template
//   chatml   Qwen2's chat_template, without the default system prompt
#include "chat/chat_template.h"

#include "common/error.h"
#include "common/json_util.h"
#include "tokenizer/tokenizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>

using nlohmann::json;

namespace atelier {

namespace {

constexpr const char* kBos = "<bos>";  // the tokenizer's bos, whatever its piece
constexpr const char* kEos = "<eos>";  // the tokenizer's eos

constexpr const char* kAlpacaPreamble =
    "Below is an instruction that describes a task. Write a response that appropriately completes the "
    "request.";
constexpr const char* kVicunaSystem =
    "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, "
    "detailed, and polite answers to the user's questions.";

struct NamedKind {
    const char* name;
    const char* title;
    TemplateKind kind;
};
constexpr NamedKind kNames[] = {
    {"alpaca", "Alpaca", TemplateKind::Alpaca},   {"vicuna", "Vicuna v1.1", TemplateKind::Vicuna},
    {"llama-2", "Llama 2", TemplateKind::Llama2}, {"llama-3", "Llama 3", TemplateKind::Llama3},
    {"chatml", "ChatML", TemplateKind::ChatML},
};

// Python's str.strip() / Jinja's trim for the whitespace that occurs in chat text.
std::string strip(const std::string& s) {
    const char* ws = " \t\n\r\v\f";
    const size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos) return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

// Builds the segment list, joining neighbouring text of the same kind.
class Builder {
public:
    void text(const std::string& t, bool trainable = false) {
        if (t.empty()) return;
        if (!m_out.segments.empty() && !m_out.segments.back().special &&
            m_out.segments.back().trainable == trainable)
            m_out.segments.back().text += t;
        else
            m_out.segments.push_back({t, false, trainable});
    }
    void special(const std::string& piece, bool trainable = false) {
        m_out.segments.push_back({piece, true, trainable});
    }
    Rendered take() { return std::move(m_out); }

private:
    Rendered m_out;
};

void check_role(const std::string& tpl, const ChatMessage& m, size_t index) {
    if (m.role != "system" && m.role != "user" && m.role != "assistant")
        throw Error(
            ErrorCode::InvalidArgument, "chat template " + tpl,
            "message " + std::to_string(index) + " has role '" + m.role + "' (system, user or assistant)");
    if (m.role == "system" && index != 0)
        throw Error(
            ErrorCode::InvalidArgument, "chat template " + tpl,
            "system message at position " + std::to_string(index) + ": only the first message may be one");
}

Rendered render_alpaca(const std::vector<ChatMessage>& msgs, bool gen) {
    Builder b;
    b.special(kBos);
    size_t first = 0;
    std::string preamble = kAlpacaPreamble;
    if (!msgs.empty() && msgs[0].role == "system") {
        preamble = msgs[0].content;  // a system message replaces the task preamble
        first = 1;
    }
    b.text(preamble);
    bool sep = !preamble.empty();  // blocks are separated by a blank line
    auto block = [&](const char* header) {
        b.text(std::string(sep ? "\n\n" : "") + header);
        sep = true;
    };
    for (size_t i = first; i < msgs.size(); ++i) {
        check_role("alpaca", msgs[i], i);
        if (msgs[i].role == "user") {
            block("### Instruction:\n");
            b.text(msgs[i].content);
        } else {
            block("### Response:\n");
            b.text(msgs[i].content, true);
            b.special(kEos, true);
        }
    }
    if (gen) block("### Response:\n");
    return b.take();
}

Rendered render_vicuna(const std::vector<ChatMessage>& msgs, bool gen) {
    Builder b;
    b.special(kBos);
    size_t first = 0;
    std::string system = kVicunaSystem;
    if (!msgs.empty() && msgs[0].role == "system") {
        system = msgs[0].content;
        first = 1;
    }
    b.text(system + " ");
    for (size_t i = first; i < msgs.size(); ++i) {
        check_role("vicuna", msgs[i], i);
        if (msgs[i].role == "user") {
            b.text("USER: " + msgs[i].content + " ");
        } else {
            b.text("ASSISTANT: ");
            b.text(msgs[i].content, true);
            b.special(kEos, true);  // FastChat's sep2 "</s>"
        }
    }
    if (gen) b.text("ASSISTANT:");
    return b.take();
}

Rendered render_llama2(const std::vector<ChatMessage>& msgs, bool /*gen: the [/INST] of a user turn is it*/) {
    Builder b;
    std::optional<std::string> system;
    size_t first = 0;
    if (!msgs.empty() && msgs[0].role == "system") {
        system = msgs[0].content;
        first = 1;
    }
    auto user_turn = [&](const std::string& content) {
        std::string c = content;
        if (system) {
            c = "<<SYS>>\n" + *system + "\n<</SYS>>\n\n" + c;
            system.reset();
        }
        b.special(kBos);
        b.text("[INST] " + strip(c) + " [/INST]");
    };
    for (size_t i = first; i < msgs.size(); ++i) {
        check_role("llama-2", msgs[i], i);
        if (msgs[i].role == "user") {
            user_turn(msgs[i].content);
        } else {
            b.text(" ");
            b.text(strip(msgs[i].content) + " ", true);
            b.special(kEos, true);
        }
    }
    if (system) user_turn("");  // a system prompt alone still opens a turn
    return b.take();
}

Rendered render_llama3(const std::vector<ChatMessage>& msgs, bool gen) {
    Builder b;
    b.special("<|begin_of_text|>");
    for (const auto& m : msgs) {
        const bool assistant = m.role == "assistant";
        b.special("<|start_header_id|>");
        b.text(m.role);
        b.special("<|end_header_id|>");
        b.text("\n\n");
        b.text(strip(m.content), assistant);
        b.special("<|eot_id|>", assistant);
    }
    if (gen) {
        b.special("<|start_header_id|>");
        b.text("assistant");
        b.special("<|end_header_id|>");
        b.text("\n\n");
    }
    return b.take();
}

Rendered render_chatml(const std::vector<ChatMessage>& msgs, bool gen) {
    Builder b;
    for (const auto& m : msgs) {
        const bool assistant = m.role == "assistant";
        b.special("<|im_start|>");
        b.text(m.role + "\n");
        b.text(m.content, assistant);
        b.special("<|im_end|>", assistant);
        b.text("\n");
    }
    if (gen) {
        b.special("<|im_start|>");
        b.text("assistant\n");
    }
    return b.take();
}

std::optional<TemplateKind> kind_from_jinja(const std::string& t) {
    auto has = [&](const char* s) { return t.find(s) != std::string::npos; };
    if (has("<|start_header_id|>")) return TemplateKind::Llama3;
    if (has("<|im_start|>")) return TemplateKind::ChatML;
    if (has("[INST]") && has("<<SYS>>")) return TemplateKind::Llama2;
    if (has("USER:") || has("ASSISTANT:")) return TemplateKind::Vicuna;
    if (has("### Instruction")) return TemplateKind::Alpaca;
    return std::nullopt;
}

// Without a chat_template, the special tokens a family reserves still name its format.
std::optional<TemplateKind> kind_from_tokens(const json& cfg) {
    std::vector<std::string> tokens;
    auto collect = [&](const json& v) {
        if (v.is_string())
            tokens.push_back(v.get<std::string>());
        else if (v.is_object() && v.contains("content") && v["content"].is_string())
            tokens.push_back(v["content"].get<std::string>());
    };
    for (const char* key : {"bos_token", "eos_token", "pad_token"})
        if (cfg.contains(key)) collect(cfg[key]);
    if (cfg.contains("additional_special_tokens") && cfg["additional_special_tokens"].is_array())
        for (const auto& v : cfg["additional_special_tokens"]) collect(v);
    if (cfg.contains("added_tokens_decoder") && cfg["added_tokens_decoder"].is_object())
        for (const auto& [id, v] : cfg["added_tokens_decoder"].items()) collect(v);
    for (const auto& t : tokens) {
        if (t == "<|start_header_id|>" || t == "<|eot_id|>") return TemplateKind::Llama3;
        if (t == "<|im_start|>" || t == "<|im_end|>") return TemplateKind::ChatML;
    }
    return std::nullopt;
}

}  // namespace

std::string Rendered::to_string() const {
    std::string s;
    for (const auto& seg : segments) s += seg.text;
    return s;
}

ChatTemplate ChatTemplate::by_name(const std::string& name) {
    for (const auto& n : kNames)
        if (name == n.name) return ChatTemplate(n.kind);
    std::string known;
    for (const auto& n : kNames) known += std::string(known.empty() ? "" : ", ") + n.name;
    throw Error(ErrorCode::Template, name, "unknown chat template (known: " + known + ")");
}

std::vector<std::string> ChatTemplate::names() {
    std::vector<std::string> out;
    for (const auto& n : kNames) out.push_back(n.name);
    return out;
}

std::string ChatTemplate::title() const {
    for (const auto& n : kNames)
        if (n.kind == m_kind) return n.title;
    return {};
}

std::string ChatTemplate::name() const {
    for (const auto& n : kNames)
        if (n.kind == m_kind) return n.name;
    return {};
}

std::optional<ChatTemplate> ChatTemplate::detect(const std::string& tokenizer_config_json) {
    const json cfg =
        parse_json_object(tokenizer_config_json, "tokenizer_config.json", "tokenizer_config.json");

    auto it = cfg.find("chat_template");
    if (it == cfg.end() || it->is_null()) {
        auto kind = kind_from_tokens(cfg);
        return kind ? std::optional<ChatTemplate>(ChatTemplate(*kind)) : std::nullopt;
    }
    std::string jinja;
    if (it->is_string()) {
        jinja = it->get<std::string>();
    } else if (it->is_array()) {
        // [{"name": "default", "template": ...}, {"name": "tool_use", ...}]
        for (const auto& entry : *it)
            if (entry.is_object() && entry.value("name", std::string()) == "default" &&
                entry.contains("template") && entry["template"].is_string())
                jinja = entry["template"].get<std::string>();
    } else {
        throw Error(ErrorCode::BadJson, "tokenizer_config.json",
                    "chat_template is neither a string nor a list");
    }
    auto kind = kind_from_jinja(jinja);
    return kind ? std::optional<ChatTemplate>(ChatTemplate(*kind)) : std::nullopt;
}

Rendered ChatTemplate::render(const std::vector<ChatMessage>& messages, bool add_generation_prompt) const {
    switch (m_kind) {
        case TemplateKind::Alpaca: return render_alpaca(messages, add_generation_prompt);
        case TemplateKind::Vicuna: return render_vicuna(messages, add_generation_prompt);
        case TemplateKind::Llama2: return render_llama2(messages, add_generation_prompt);
        case TemplateKind::Llama3: return render_llama3(messages, add_generation_prompt);
        case TemplateKind::ChatML: return render_chatml(messages, add_generation_prompt);
    }
    return {};
}

std::vector<std::string> ChatTemplate::stop_strings() const {
    switch (m_kind) {
        case TemplateKind::Alpaca: return {"### Instruction:"};
        case TemplateKind::Vicuna: return {"###"};  // older Vicuna builds end turns with "###"
        case TemplateKind::Llama2:
        case TemplateKind::Llama3:
        case TemplateKind::ChatML: return {};
    }
    return {};
}

std::vector<std::string> ChatTemplate::stop_tokens() const {
    switch (m_kind) {
        case TemplateKind::Alpaca:
        case TemplateKind::Vicuna:
        case TemplateKind::Llama2: return {kEos};
        case TemplateKind::Llama3: return {"<|eot_id|>"};
        case TemplateKind::ChatML: return {"<|im_end|>"};
    }
    return {};
}

namespace {

int special_id(const std::string& text, const Tokenizer& tok) {
    if (text == kEos) {
        if (tok.eos_id() < 0)
            throw Error(ErrorCode::Tokenizer, "",
                        "the chat template needs an eos token; the tokenizer has none");
        return tok.eos_id();
    }
    auto id = tok.piece_to_id(text);
    if (!id) throw Error(ErrorCode::Tokenizer, "", "special token '" + text + "' is not in the vocabulary");
    return *id;
}

// Encodes segments [begin, end) (all text) as one string and flags each token from the bytes it
// covers. Returns false, writing nothing, when the tokens do not spell the text byte for byte.
bool encode_run_jointly(const std::vector<Segment>& segs, size_t begin, size_t end, const Tokenizer& tok,
                        std::vector<int>& ids, std::vector<bool>& mask) {
    std::string text;
    std::vector<bool> byte_trainable;
    for (size_t k = begin; k < end; ++k) {
        text += segs[k].text;
        byte_trainable.insert(byte_trainable.end(), segs[k].text.size(), segs[k].trainable);
    }
    const std::vector<int> run = tok.encode(text, /*add_bos=*/false, /*parse_special=*/false);
    std::string spelled;
    std::vector<size_t> ends;  // end offset of each token in `spelled`
    for (int id : run) {
        spelled += tok.token_bytes(id);
        ends.push_back(spelled.size());
    }
    // SentencePiece's dummy prefix: one extra leading space that is not in the text.
    const size_t shift = spelled.size() == text.size() + 1 && !spelled.empty() && spelled[0] == ' ' ? 1 : 0;
    if (spelled.compare(shift, std::string::npos, text) != 0) return false;

    size_t start = 0;
    for (size_t t = 0; t < run.size(); ++t) {
        const size_t b = start > shift ? start - shift : 0, e = ends[t] > shift ? ends[t] - shift : 0;
        start = ends[t];
        bool trainable = false;
        if (e > b) {
            for (size_t i = b; i < e && !trainable; ++i) trainable = byte_trainable[i];
        } else if (!text.empty()) {
            trainable = byte_trainable[std::min(b, text.size() - 1)];  // the dummy "▁" alone
        }
        ids.push_back(run[t]);
        mask.push_back(trainable);
    }
    return true;
}

}  // namespace

std::vector<int> encode_rendered(const Rendered& r, const Tokenizer& tok, std::vector<bool>* trainable_mask) {
    std::vector<int> ids;
    std::vector<bool> mask;
    const auto& segs = r.segments;
    for (size_t k = 0; k < segs.size();) {
        if (segs[k].special) {
            if (segs[k].text == kBos) {
                if (tok.bos_id() >= 0) {
                    ids.push_back(tok.bos_id());
                    mask.push_back(segs[k].trainable);
                }
            } else {
                ids.push_back(special_id(segs[k].text, tok));
                mask.push_back(segs[k].trainable);
            }
            ++k;
            continue;
        }
        size_t end = k;
        while (end < segs.size() && !segs[end].special) ++end;
        if (!encode_run_jointly(segs, k, end, tok, ids, mask)) {
            for (size_t j = k; j < end; ++j) {
                const std::vector<int> part =
                    tok.encode(segs[j].text, /*add_bos=*/false, /*parse_special=*/false);
                ids.insert(ids.end(), part.begin(), part.end());
                mask.insert(mask.end(), part.size(), segs[j].trainable);
            }
        }
        k = end;
    }
    if (trainable_mask) *trainable_mask = std::move(mask);
    return ids;
}

}  // namespace atelier

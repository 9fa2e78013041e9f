// Chat templates: the exact prompt each format renders (checked against the reference
// implementations: Meta's chat_completion, FastChat's vicuna_v1.1, the Jinja templates shipped in
// the models' tokenizer_config.json), which tokens are trainable, and template detection.
#include "chat/chat_template.h"
#include "common/error.h"
#include "test_util.h"
#include "tokenizer/tokenizer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

using atelier::ChatMessage;
using atelier::ChatTemplate;
using atelier::ErrorCode;
using atelier::Rendered;
using atelier::TemplateKind;
namespace test = atelier::test;

namespace {

using atelier::test::error_code_of;

const std::vector<ChatMessage> kConversation = {
    {"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello!"}, {"user", "Bye"}};

std::string render(const char* name, bool gen = true, const std::vector<ChatMessage>& msgs = kConversation) {
    return ChatTemplate::by_name(name).render(msgs, gen).to_string();
}

// The trainable part of a rendering, each segment in [brackets].
std::string trainable(const Rendered& r) {
    std::string s;
    for (const auto& seg : r.segments)
        if (seg.trainable) s += "[" + seg.text + "]";
    return s;
}

TEST(ChatTemplate, Alpaca) {
    EXPECT_EQ(render("alpaca"),
              "<bos>Be brief.\n\n### Instruction:\nHi\n\n### Response:\nHello!<eos>"
              "\n\n### Instruction:\nBye\n\n### Response:\n");
    // Without a system message: LLaMA-Adapter's preamble.
    EXPECT_EQ(
        render("alpaca", true, {{"user", "Name a color."}}),
        "<bos>Below is an instruction that describes a task. Write a response that appropriately completes "
        "the request.\n\n### Instruction:\nName a color.\n\n### Response:\n");
    EXPECT_EQ(
        render("alpaca", false, {{"user", "Name a color."}, {"assistant", "Red."}}),
        "<bos>Below is an instruction that describes a task. Write a response that appropriately completes "
        "the request.\n\n### Instruction:\nName a color.\n\n### Response:\nRed.<eos>");
}

TEST(ChatTemplate, VicunaV11) {
    // FastChat vicuna_v1.1: system + " ", "USER: u ", "ASSISTANT: a</s>", generation "ASSISTANT:".
    EXPECT_EQ(render("vicuna"), "<bos>Be brief. USER: Hi ASSISTANT: Hello!<eos>USER: Bye ASSISTANT:");
    EXPECT_EQ(
        render("vicuna", true, {{"user", "Hi"}}),
        "<bos>A chat between a curious user and an artificial intelligence assistant. The assistant gives "
        "helpful, detailed, and polite answers to the user's questions. USER: Hi ASSISTANT:");
    const auto stops = ChatTemplate::by_name("vicuna").stop_strings();
    EXPECT_NE(std::find(stops.begin(), stops.end(), "###"), stops.end());
}

TEST(ChatTemplate, Llama2) {
    // Meta's chat_completion: <s>[INST] <<SYS>>\n{sys}\n<</SYS>>\n\n{u} [/INST] {a} </s> per turn.
    EXPECT_EQ(render("llama-2"),
              "<bos>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! <eos><bos>[INST] Bye [/INST]");
    // Contents are stripped; the prompt is the same with or without a generation prompt.
    EXPECT_EQ(render("llama-2", false, {{"user", "  Hi\n"}}), "<bos>[INST] Hi [/INST]");
}

TEST(ChatTemplate, Llama3) {
    EXPECT_EQ(render("llama-3"),
              "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
              "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\nHello!<|eot_id|>"
              "<|start_header_id|>user<|end_header_id|>\n\nBye<|eot_id|>"
              "<|start_header_id|>assistant<|end_header_id|>\n\n");
    EXPECT_EQ(render("llama-3", false, {{"user", " Hi \n"}}),
              "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>");
}

TEST(ChatTemplate, ChatML) {
    EXPECT_EQ(
        render("chatml"),
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
        "<|im_start|>assistant\nHello!<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n");
    // No default system prompt is invented.
    EXPECT_EQ(render("chatml", false, {{"user", "Hi"}}), "<|im_start|>user\nHi<|im_end|>\n");
}

TEST(ChatTemplate, OnlyAssistantRepliesAreTrainable) {
    const std::pair<const char*, const char*> cases[] = {
        {"alpaca", "[Hello!][<eos>]"},      {"vicuna", "[Hello!][<eos>]"},
        {"llama-2", "[Hello! ][<eos>]"},    {"llama-3", "[Hello!][<|eot_id|>]"},
        {"chatml", "[Hello!][<|im_end|>]"},
    };
    for (const auto& [name, expected] : cases) {
        const Rendered r = ChatTemplate::by_name(name).render(kConversation, true);
        EXPECT_EQ(trainable(r), expected) << name;
        for (const auto& seg : r.segments) {
            if (seg.special) {
                EXPECT_TRUE(seg.text.size() >= 3 && seg.text.front() == '<' && seg.text.back() == '>')
                    << seg.text;
            }
        }
    }
    // The end-of-turn token is a special segment, never text.
    const Rendered r = ChatTemplate::by_name("llama-3").render(kConversation, false);
    for (const auto& seg : r.segments) {
        if (!seg.special) {
            EXPECT_EQ(seg.text.find("<|"), std::string::npos) << seg.text;
        }
    }
}

TEST(ChatTemplate, NamesAndErrors) {
    for (const auto& name : ChatTemplate::names()) EXPECT_EQ(ChatTemplate::by_name(name).name(), name);
    EXPECT_EQ(ChatTemplate::names().size(), 5u);
    EXPECT_EQ(error_code_of([] { ChatTemplate::by_name("llama-4"); }), ErrorCode::Template);
    EXPECT_EQ(error_code_of([] {
                  render("alpaca", true, {{"user", "a"}, {"system", "late"}});
              }),
              ErrorCode::InvalidArgument);
    EXPECT_EQ(error_code_of([] { render("vicuna", true, {{"narrator", "a"}}); }), ErrorCode::InvalidArgument);
    EXPECT_EQ(ChatTemplate::by_name("llama-3").stop_tokens(), std::vector<std::string>{"<|eot_id|>"});
    EXPECT_EQ(ChatTemplate::by_name("chatml").stop_tokens(), std::vector<std::string>{"<|im_end|>"});
    EXPECT_EQ(ChatTemplate::by_name("llama-2").stop_tokens(), std::vector<std::string>{"<eos>"});
}

// ---------------------------------------------------------------------------------------------
// detect(): tokenizer_config.json as the models ship it (chat templates abridged where marked).

std::optional<TemplateKind> detect(const std::string& json_text) {
    auto t = ChatTemplate::detect(json_text);
    return t ? std::optional<TemplateKind>(t->kind()) : std::nullopt;
}

TEST(ChatTemplateDetect, Llama3Instruct) {
    const std::string cfg = R"({
  "added_tokens_decoder": {
    "128000": {"content": "<|begin_of_text|>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true},
    "128009": {"content": "<|eot_id|>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true}
  },
  "bos_token": "<|begin_of_text|>",
  "chat_template": "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}",
  "clean_up_tokenization_spaces": true,
  "eos_token": "<|eot_id|>",
  "model_input_names": ["input_ids", "attention_mask"],
  "model_max_length": 1000000000000000019884624838656,
  "tokenizer_class": "PreTrainedTokenizerFast"
})";
    EXPECT_EQ(detect(cfg), TemplateKind::Llama3);
}

TEST(ChatTemplateDetect, Qwen2ChatML) {
    const std::string cfg = R"({
  "add_prefix_space": false,
  "added_tokens_decoder": {
    "151643": {"content": "<|endoftext|>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true},
    "151644": {"content": "<|im_start|>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true},
    "151645": {"content": "<|im_end|>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true}
  },
  "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
  "bos_token": null,
  "chat_template": "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}",
  "clean_up_tokenization_spaces": false,
  "eos_token": "<|im_end|>",
  "errors": "replace",
  "model_max_length": 32768,
  "pad_token": "<|endoftext|>",
  "split_special_tokens": false,
  "tokenizer_class": "Qwen2Tokenizer",
  "unk_token": null
})";
    EXPECT_EQ(detect(cfg), TemplateKind::ChatML);
}

TEST(ChatTemplateDetect, Llama2Chat) {
    const std::string cfg = R"({
  "add_bos_token": true,
  "add_eos_token": false,
  "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false},
  "chat_template": "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}",
  "clean_up_tokenization_spaces": false,
  "eos_token": {"__type": "AddedToken", "content": "</s>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false},
  "legacy": false,
  "model_max_length": 1000000000000000019884624838656,
  "pad_token": null,
  "padding_side": "right",
  "sp_model_kwargs": {},
  "tokenizer_class": "LlamaTokenizer",
  "unk_token": {"__type": "AddedToken", "content": "<unk>", "lstrip": false, "normalized": false, "rstrip": false, "single_word": false}
})";
    EXPECT_EQ(detect(cfg), TemplateKind::Llama2);
}

TEST(ChatTemplateDetect, VicunaAndAlpaca) {
    const std::string vicuna = R"({
  "bos_token": "<s>", "eos_token": "</s>", "tokenizer_class": "LlamaTokenizer",
  "chat_template": "{% if messages[0]['role'] == 'system' %}{% set system_message = messages[0]['content'] %}{% set loop_messages = messages[1:] %}{% else %}{% set system_message = 'A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user\\'s questions.' %}{% set loop_messages = messages %}{% endif %}{{ system_message + ' ' }}{% for message in loop_messages %}{% if message['role'] == 'user' %}{{ 'USER: ' + message['content'] + ' ' }}{% elif message['role'] == 'assistant' %}{{ 'ASSISTANT: ' + message['content'] + eos_token }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}"
})";
    EXPECT_EQ(detect(vicuna), TemplateKind::Vicuna);
    const std::string alpaca = R"({
  "chat_template": "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '### Instruction:\n' + message['content'] + '\n\n' }}{% else %}{{ '### Response:\n' + message['content'] + eos_token + '\n\n' }}{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '### Response:\n' }}{% endif %}"
})";
    EXPECT_EQ(detect(alpaca), TemplateKind::Alpaca);
}

TEST(ChatTemplateDetect, TemplateListTakesDefault) {
    // Newer models ship several named templates; "default" is the chat one.
    const std::string cfg = R"({"chat_template": [
        {"name": "tool_use", "template": "{{ '<|im_start|>' }}"},
        {"name": "default", "template": "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>' }}"}]})";
    EXPECT_EQ(detect(cfg), TemplateKind::Llama3);
}

TEST(ChatTemplateDetect, NothingRecognisable) {
    // stories260K: a base model, no chat template.
    EXPECT_EQ(detect(test::read_file(test::fixture("stories260K/hf/tokenizer_config.json"))), std::nullopt);
    // Mistral's [INST] format has no <<SYS>>: none of ours.
    EXPECT_EQ(
        detect(
            R"({"chat_template": "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% else %}{{ message['content'] + eos_token}}{% endif %}{% endfor %}"})"),
        std::nullopt);
    EXPECT_EQ(detect("{}"), std::nullopt);
    // No chat_template, but the family's reserved tokens say ChatML.
    EXPECT_EQ(detect(R"({"added_tokens_decoder": {"151644": {"content": "<|im_start|>", "special": true}}})"),
              TemplateKind::ChatML);
}

TEST(ChatTemplateDetect, BadJson) {
    EXPECT_EQ(error_code_of([] { ChatTemplate::detect("{\"chat_template\": "); }), ErrorCode::BadJson);
    EXPECT_EQ(error_code_of([] { ChatTemplate::detect("[1, 2]"); }), ErrorCode::BadJson);
    EXPECT_EQ(error_code_of([] { ChatTemplate::detect(R"({"chat_template": 7})"); }), ErrorCode::BadJson);
}

// ---------------------------------------------------------------------------------------------
// encode_rendered

TEST(EncodeRendered, AlpacaOnStories260K) {
    auto tok = atelier::load_tokenizer(test::fixture("stories260K/hf"));
    const Rendered r = ChatTemplate::by_name("alpaca").render(kConversation, true);
    std::vector<bool> mask;
    const std::vector<int> ids = atelier::encode_rendered(r, *tok, &mask);

    // <bos> -> 1, <eos> -> 2; the text between them is encoded as one string each, as the model
    // saw it in training, so "Hello!" after "\n" gets no dummy-prefix space.
    std::vector<int> expected = {1};
    const std::vector<int> first =
        tok->encode("Be brief.\n\n### Instruction:\nHi\n\n### Response:\nHello!", false);
    expected.insert(expected.end(), first.begin(), first.end());
    expected.push_back(2);
    const std::vector<int> second = tok->encode("\n\n### Instruction:\nBye\n\n### Response:\n", false);
    expected.insert(expected.end(), second.begin(), second.end());
    EXPECT_EQ(ids, expected);

    ASSERT_EQ(mask.size(), ids.size());
    std::string trained;
    int trained_eos = 0;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (!mask[i]) continue;
        if (ids[i] == 2) ++trained_eos;
        trained += tok->token_bytes(ids[i]);
    }
    EXPECT_EQ(trained, "Hello!");  // exactly the reply's tokens ...
    EXPECT_EQ(trained_eos, 1);     // ... and its eos
    EXPECT_FALSE(mask[0]);
    EXPECT_FALSE(mask.back());
    // Text after a special is encoded on its own, so SentencePiece gives it a dummy-prefix space
    // (Hugging Face's legacy LlamaTokenizer does the same after "</s>").
    EXPECT_EQ(tok->decode(ids),
              "Be brief.\n\n### Instruction:\nHi\n\n### Response:\nHello!"
              " \n\n### Instruction:\nBye\n\n### Response:\n");
}

TEST(EncodeRendered, Llama2BosPerTurnOnStories260K) {
    auto tok = atelier::load_tokenizer(test::fixture("stories260K/hf"));
    const std::vector<int> ids =
        atelier::encode_rendered(ChatTemplate::by_name("llama-2").render(kConversation, true), *tok);
    EXPECT_EQ(std::count(ids.begin(), ids.end(), 1), 2);  // one <s> per [INST]
    EXPECT_EQ(std::count(ids.begin(), ids.end(), 2), 1);
    // Templates with named specials need them in the vocabulary.
    EXPECT_EQ(error_code_of([&] {
                  atelier::encode_rendered(ChatTemplate::by_name("chatml").render(kConversation, true), *tok);
              }),
              ErrorCode::Tokenizer);
}

// A byte-level BPE with no merges and the Llama-3 specials: every text byte is one token.
std::unique_ptr<atelier::Tokenizer> byte_tokenizer() {
    nlohmann::json vocab = nlohmann::json::object();
    int n = 0;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        const int cp = printable ? b : 256 + n++;
        std::string s;
        if (cp < 0x80) {
            s += static_cast<char>(cp);
        } else {
            s += static_cast<char>(0xC0 | (cp >> 6));
            s += static_cast<char>(0x80 | (cp & 0x3F));
        }
        vocab[s] = b;
    }
    nlohmann::json added = nlohmann::json::array();
    int id = 256;
    for (const char* s : {"<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"})
        added.push_back({{"id", id++}, {"content", s}, {"special", true}});
    const nlohmann::json root = {
        {"added_tokens", added},
        {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
        {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}}};
    const std::string dir = test::make_temp_dir("chat-bpe");
    test::write_file(dir + "/tokenizer.json", root.dump());
    return atelier::load_bpe_tokenizer(dir + "/tokenizer.json");
}

TEST(EncodeRendered, Llama3SpecialsAndMask) {
    auto tok = byte_tokenizer();
    const Rendered r = ChatTemplate::by_name("llama-3").render({{"user", "Hi"}, {"assistant", "Yo"}}, false);
    std::vector<bool> mask;
    const std::vector<int> ids = atelier::encode_rendered(r, *tok, &mask);
    const int bot = 256, sh = 257, eh = 258, eot = 259;
    const std::vector<int> expected = {bot, sh,  'u', 's',  'e',  'r', eh,  '\n', '\n', 'H',
                                       'i', eot, sh,  'a',  's',  's', 'i', 's',  't',  'a',
                                       'n', 't', eh,  '\n', '\n', 'Y', 'o', eot};
    EXPECT_EQ(ids, expected);
    std::vector<bool> expected_mask(ids.size(), false);
    expected_mask[ids.size() - 3] = expected_mask[ids.size() - 2] = expected_mask[ids.size() - 1] =
        true;  // Y o eot
    EXPECT_EQ(mask, expected_mask);
    // No bos in the vocabulary under "<bos>": the Alpaca template still encodes, without it.
    const std::vector<int> alpaca =
        atelier::encode_rendered(ChatTemplate::by_name("alpaca").render({{"user", "x"}}, true), *tok);
    EXPECT_EQ(alpaca.front(), 'B');  // "Below is ..."
}

}  // namespace

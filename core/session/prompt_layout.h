// Where a conversation's text and media go in the prompt: the one layout generation
// (session/chat_session.h) and multimodal training (training/multimodal_recipe.h) share, so a
// model is trained on exactly the prompts it is later asked with.
//
// Media markers: "<image>", "<audio>" and "<video>" in a turn's text mark where that turn's
// attachments of the kind go, in order; attachments without a marker go first in their turn, each
// followed by a newline. Without a template (raw continuation) the prompt is BOS, then each turn's
// media and text in order. Torch-free.
//
//   auto tpl = atelier::ChatTemplate::by_name("alpaca");
//   auto pieces = atelier::layout_prompt(turns, "", &tpl, /*add_generation_prompt=*/true);
//   for (auto& p : pieces) p.media ? encode(p.attachment) : encode_rendered(p.rendered, tok);
#pragma once

#include "chat/chat_template.h"

#include <string>
#include <vector>

namespace atelier {

struct Attachment {
    std::string modality;  // "image" | "audio" | "video"
    std::string path;
};

struct ChatTurn {
    std::string role;  // "user" | "assistant"
    std::string content;
    std::vector<Attachment> attachments;
};

// A run of rendered text (its segments keep the template's special/trainable marks), a raw string
// (no template: BOS on the first one), or one attachment.
struct PromptPiece {
    bool media = false;
    Attachment attachment;
    bool raw = false;
    Rendered rendered;
    std::string text;
    bool bos = false;
};

// `tpl` null: raw continuation. Sentinel characters in user text are removed first.
std::vector<PromptPiece> layout_prompt(const std::vector<ChatTurn>& turns, const std::string& system_prompt,
                                       const ChatTemplate* tpl, bool add_generation_prompt);

// Attaches an example's media to its turns as layout_prompt expects: each media file to the user
// turn holding the next unused marker of its kind, the rest to the first user turn.
std::vector<ChatTurn> turns_with_media(const std::vector<ChatMessage>& messages,
                                       const std::vector<Attachment>& media, std::string* system_prompt);

}  // namespace atelier

#include "chat/chat_template.h"

#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace atelier {

ChatTemplate template_for_model(const std::string& tokenizer_config_path, const std::string& name) {
    if (!name.empty()) return ChatTemplate::by_name(name);
    if (!tokenizer_config_path.empty()) {
        std::ifstream f(tokenizer_config_path, std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        if (f) {
            if (auto detected = ChatTemplate::detect(ss.str())) return *detected;
        }
    }
    return ChatTemplate(TemplateKind::Alpaca);
}

void add_template_stop_ids(const ChatTemplate& tpl, Tokenizer& tok) {
    for (const auto& piece : tpl.stop_tokens()) {
        if (piece == "<eos>") continue;  // the tokenizer's eos already stops generation
        if (auto id = tok.piece_to_id(piece)) {
            const auto& ids = tok.stop_ids();
            if (std::find(ids.begin(), ids.end(), *id) == ids.end() && *id != tok.eos_id())
                tok.add_stop_id(*id);
        }
    }
}

}  // namespace atelier

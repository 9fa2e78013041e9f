#include "chat/chat_template.h"

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

}  // namespace atelier

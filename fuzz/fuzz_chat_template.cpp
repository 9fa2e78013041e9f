// tokenizer_config.json: chat template detection, then rendering a conversation with what it found.
#include "chat/chat_template.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const auto tpl =
            atelier::ChatTemplate::detect(std::string(reinterpret_cast<const char*>(data), size));
        if (tpl)
            (void)tpl->render(
                {{"system", "Be brief."}, {"user", "Hi <image>"}, {"assistant", "Hello."}, {"user", "And?"}},
                true);
    } catch (const atelier::Error&) {
    }
    return 0;
}

// Hugging Face tokenizer.json (byte-level BPE): vocabulary, merges, added tokens, normalizers and
// pre-tokenizers, then encoding and decoding a fixed text with what loaded.
#include "fuzz_util.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::write_input(data, size, "tokenizer.json");
    try {
        auto tok = atelier::load_bpe_tokenizer(path);
        const auto ids = tok->encode("Hello world! It's 2024: naïve café ☕ <|eot_id|>\n\n  x", true);
        (void)tok->decode(ids, false);
    } catch (const atelier::Error&) {
    }
    return 0;
}

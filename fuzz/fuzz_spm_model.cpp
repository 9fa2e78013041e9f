// SentencePiece .model protobufs: parsing, then encoding and decoding a fixed text with what loaded.
#include "fuzz_util.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = fuzz::write_input(data, size, "tokenizer.model");
    try {
        auto tok = atelier::load_sentencepiece_tokenizer(path);
        const auto ids = tok->encode("Once upon a time, a café ☕ had 12 ducks.\n\tEnd <s>", true);
        (void)tok->decode(ids, false);
    } catch (const atelier::Error&) {
    }
    return 0;
}

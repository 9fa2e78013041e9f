// A prompt made of chunks: text tokens, or media embeddings produced by an encoder + projector.
//
// The token count of a media chunk is known before encoding (MultimodalModel::token_cost), so a
// front end can show the context cost of an attachment. `key` identifies the content (SHA-256 of
// the file + encoder + preprocessing): the Generator's KV-cache reuse compares keys, so the next
// turn about the same image prefills only what is new.
//
//   atelier::Prompt p;
//   p.push_back(atelier::PromptChunk::text({tok.bos_id()}));
//   p.push_back(atelier::PromptChunk::embedding(model.encode("image", "cat.png")));
//   p.push_back(atelier::PromptChunk::text(tok.encode("What is this?", false)));
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace atelier {

struct MediaEmbedding {
    std::string modality;     // "image" | "audio" | "video"
    std::string source;       // the file it came from
    std::string key;          // content hash + encoder + preprocessing
    int64_t tokens = 0;       // prompt positions it occupies (0 for the gated path)
    int64_t dim = 0;          // LLM hidden size
    std::vector<float> data;  // [tokens, dim] row-major; gated: [dim]
    // Gated path (ImageBind-LLM bind network): `data` is one vector added in every layer through
    // tanh(gates[layer]); it occupies no positions.
    bool gated = false;
    std::vector<float> gates;   // [layers]
    double encode_seconds = 0;  // time spent encoding (0 when it came from the cache)
    // Text the prompt places right before this embedding (a video frame's time, "[1.4 s]", where
    // the model was trained with timestamps). Encoded by the chat session, not by the generator.
    std::string text_before;
};

struct PromptChunk {
    std::vector<int> tokens;                      // text chunk
    std::shared_ptr<const MediaEmbedding> media;  // or a media chunk

    static PromptChunk text(std::vector<int> ids) { return {std::move(ids), nullptr}; }
    static PromptChunk embedding(std::shared_ptr<const MediaEmbedding> m) { return {{}, std::move(m)}; }
    bool is_media() const { return media != nullptr; }
    int64_t positions() const {
        return media ? (media->gated ? 0 : media->tokens) : static_cast<int64_t>(tokens.size());
    }
};

using Prompt = std::vector<PromptChunk>;

inline int64_t prompt_positions(const Prompt& p) {
    int64_t n = 0;
    for (const auto& c : p) n += c.positions();
    return n;
}

}  // namespace atelier

#include "session/prompt_layout.h"

namespace atelier {

namespace {

// Where attachment k sits in rendered text: "\x1e" k "\x1f". User text never contains these
// (they are stripped), so a template cannot be confused by them.
constexpr char kOpen = '\x1e', kClose = '\x1f';

std::string sentinel(size_t k) {
    return std::string(1, kOpen) + std::to_string(k) + std::string(1, kClose);
}

std::string strip_sentinel_chars(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s)
        if (c != kOpen && c != kClose) out += c;
    return out;
}

// Splits `text` at sentinels: calls on_text(run) and on_media(k) in order.
template <typename T, typename M>
void split_sentinels(const std::string& text, T&& on_text, M&& on_media) {
    size_t i = 0;
    while (i < text.size()) {
        const size_t open = text.find(kOpen, i);
        if (open == std::string::npos) break;
        const size_t close = text.find(kClose, open);
        if (close == std::string::npos) break;
        on_text(text.substr(i, open - i));
        on_media(static_cast<size_t>(std::stoul(text.substr(open + 1, close - open - 1))));
        i = close + 1;
    }
    on_text(text.substr(i));
}

const char* marker_of(const std::string& modality) {
    return modality == "image" ? "<image>" : modality == "audio" ? "<audio>" : "<video>";
}

}  // namespace

std::vector<PromptPiece> layout_prompt(const std::vector<ChatTurn>& turns, const std::string& system_prompt,
                                       const ChatTemplate* tpl, bool add_generation_prompt) {
    // Each turn's content with its attachments' sentinels placed at their markers (or first).
    std::vector<Attachment> atts;
    std::vector<std::string> contents;
    const bool raw = tpl == nullptr;
    for (const ChatTurn& turn : turns) {
        std::string text = strip_sentinel_chars(turn.content);
        std::vector<bool> placed(turn.attachments.size(), false);
        std::string prefix;
        // Markers take the turn's attachments of their kind in order.
        std::string out;
        size_t i = 0;
        while (i < text.size()) {
            bool hit = false;
            if (text[i] == '<') {
                for (const char* kind : {"image", "audio", "video"}) {
                    const std::string marker = marker_of(kind);
                    if (text.compare(i, marker.size(), marker) != 0) continue;
                    for (size_t a = 0; a < turn.attachments.size(); ++a) {
                        if (placed[a] || turn.attachments[a].modality != kind) continue;
                        placed[a] = true;
                        out += sentinel(atts.size());
                        atts.push_back(turn.attachments[a]);
                        i += marker.size();
                        hit = true;
                        break;
                    }
                    break;
                }
            }
            if (!hit) out += text[i++];
        }
        for (size_t a = 0; a < turn.attachments.size(); ++a) {
            if (placed[a]) continue;
            prefix += sentinel(atts.size());
            if (!raw) prefix += "\n";
            atts.push_back(turn.attachments[a]);
        }
        contents.push_back(prefix + out);
    }

    std::vector<PromptPiece> pieces;
    auto add_media = [&](size_t k) {
        PromptPiece p;
        p.media = true;
        p.attachment = atts.at(k);
        pieces.push_back(p);
    };
    if (raw) {
        std::string text = strip_sentinel_chars(system_prompt);
        for (const auto& c : contents) text += c;
        bool first = true;
        split_sentinels(
            text,
            [&](const std::string& run) {
                if (run.empty() && !first) return;
                PromptPiece p;
                p.raw = true;
                p.text = run;
                p.bos = first;
                first = false;
                pieces.push_back(p);
            },
            add_media);
        return pieces;
    }
    std::vector<ChatMessage> msgs;
    if (!system_prompt.empty()) msgs.push_back({"system", strip_sentinel_chars(system_prompt)});
    for (size_t t = 0; t < turns.size(); ++t) msgs.push_back({turns[t].role, contents[t]});
    Rendered r = tpl->render(msgs, add_generation_prompt);
    PromptPiece current;
    auto flush = [&] {
        if (!current.rendered.segments.empty()) pieces.push_back(current);
        current = PromptPiece();
    };
    for (const Segment& s : r.segments) {
        if (s.special) {
            current.rendered.segments.push_back(s);
            continue;
        }
        split_sentinels(
            s.text,
            [&](const std::string& run) {
                if (!run.empty()) current.rendered.segments.push_back({run, false, s.trainable});
            },
            [&](size_t k) {
                flush();
                add_media(k);
            });
    }
    flush();
    return pieces;
}

std::vector<ChatTurn> turns_with_media(const std::vector<ChatMessage>& messages,
                                       const std::vector<Attachment>& media, std::string* system_prompt) {
    std::vector<ChatTurn> turns;
    for (const auto& m : messages) {
        if (m.role == "system") {
            if (system_prompt) *system_prompt = m.content;
            continue;
        }
        turns.push_back({m.role, m.content, {}});
    }
    // Markers of each kind per user turn, consumed in order.
    std::vector<size_t> used(turns.size() * 3, 0);
    auto kind_index = [](const std::string& k) { return k == "image" ? 0 : k == "audio" ? 1 : 2; };
    auto count = [](const std::string& text, const std::string& marker) {
        size_t n = 0;
        for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) ++n;
        return n;
    };
    for (const Attachment& a : media) {
        ChatTurn* target = nullptr;
        for (size_t t = 0; t < turns.size() && !target; ++t) {
            if (turns[t].role != "user") continue;
            size_t& u = used[t * 3 + static_cast<size_t>(kind_index(a.modality))];
            if (u < count(turns[t].content, marker_of(a.modality))) {
                ++u;
                target = &turns[t];
            }
        }
        if (!target)
            for (auto& t : turns)
                if (t.role == "user") {
                    target = &t;
                    break;
                }
        if (target) target->attachments.push_back(a);
    }
    return turns;
}

}  // namespace atelier

#include "collate.h"

#include "tokenizer/tokenizer.h"

#include <algorithm>
#include <numeric>
#include <string_view>

namespace atelier {

namespace {

// The text with its media markers (and the line break beside each) removed, in one pass: erasing
// each match from the front was quadratic (a 10 MB row of "<image>" took hours).
std::string strip_markers(const std::string& s) {
    static const std::string_view markers[] = {"<image>\n", "\n<image>", "<image>", "<audio>\n",
                                               "<audio>",   "<video>\n", "<video>"};
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
        bool hit = false;
        if (s[i] == '<' || s[i] == '\n')
            for (const std::string_view m : markers)
                if (s.compare(i, m.size(), m) == 0) {
                    i += m.size();
                    hit = true;
                    break;
                }
        if (!hit) out += s[i++];
    }
    return out;
}

}  // namespace

int TokenizedExample::trained_tokens() const {
    return static_cast<int>(
        std::count_if(labels.begin(), labels.end(), [](int l) { return l != kIgnoreLabel; }));
}

TokenizedExample tokenize_example(const Example& e, const ChatTemplate& tpl, const Tokenizer& tok,
                                  int64_t max_length) {
    std::vector<ChatMessage> msgs = e.messages;
    for (auto& m : msgs) m.content = strip_markers(m.content);
    std::vector<bool> trainable;
    std::vector<int> ids =
        encode_rendered(tpl.render(msgs, /*add_generation_prompt=*/false), tok, &trainable);
    TokenizedExample t;
    t.line = e.line;
    if (max_length > 0 && static_cast<int64_t>(ids.size()) > max_length) {
        ids.resize(static_cast<size_t>(max_length));
        trainable.resize(static_cast<size_t>(max_length));
        t.truncated = true;
    }
    // Position i predicts token i+1: it learns when token i+1 belongs to a reply.
    t.labels.assign(ids.size(), kIgnoreLabel);
    for (size_t i = 0; i + 1 < ids.size(); ++i)
        if (trainable[i + 1]) t.labels[i] = ids[i + 1];
    t.ids = std::move(ids);
    return t;
}

std::vector<TokenizedExample> pack_examples(const std::vector<TokenizedExample>& examples,
                                            int64_t max_length) {
    std::vector<TokenizedExample> out;
    TokenizedExample cur;
    for (const auto& e : examples) {
        if (!cur.ids.empty() && static_cast<int64_t>(cur.ids.size() + e.ids.size()) > max_length) {
            out.push_back(std::move(cur));
            cur = TokenizedExample();
        }
        if (cur.ids.empty()) cur.line = e.line;
        cur.ids.insert(cur.ids.end(), e.ids.begin(), e.ids.end());
        cur.labels.insert(cur.labels.end(), e.labels.begin(), e.labels.end());
        cur.truncated |= e.truncated;
    }
    if (!cur.ids.empty()) out.push_back(std::move(cur));
    return out;
}

DatasetPreview preview_dataset(const Dataset& ds, const ChatTemplate& tpl, const Tokenizer& tok,
                               int64_t max_length, int64_t examples, int bins) {
    DatasetPreview p;
    std::vector<int64_t> lengths;
    lengths.reserve(ds.examples.size());
    for (const auto& e : ds.examples) {
        const TokenizedExample t = tokenize_example(e, tpl, tok, max_length);
        lengths.push_back(static_cast<int64_t>(t.ids.size()));
        p.truncated += t.truncated;
        p.trained_tokens += t.trained_tokens();
        p.total_tokens += static_cast<int64_t>(t.ids.size());
        if (static_cast<int64_t>(p.examples.size()) < examples) {
            std::vector<ChatMessage> msgs = e.messages;
            for (auto& m : msgs) m.content = strip_markers(m.content);
            std::vector<PreviewSpan> spans;
            for (const auto& seg : tpl.render(msgs, false).segments) {
                if (!spans.empty() && spans.back().trained == seg.trainable)
                    spans.back().text += seg.text;
                else
                    spans.push_back({seg.text, seg.trainable});
            }
            p.examples.push_back(std::move(spans));
        }
    }
    p.count = static_cast<int64_t>(lengths.size());
    p.histogram.assign(static_cast<size_t>(std::max(1, bins)), 0);
    if (lengths.empty()) return p;
    std::vector<int64_t> sorted = lengths;
    std::sort(sorted.begin(), sorted.end());
    p.min_tokens = sorted.front();
    p.max_tokens = sorted.back();
    p.mean_tokens = std::accumulate(sorted.begin(), sorted.end(), 0.0) / static_cast<double>(sorted.size());
    const size_t n = sorted.size();
    p.median_tokens = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    const int64_t top = std::max<int64_t>(1, max_length > 0 ? max_length : p.max_tokens);
    for (int64_t len : lengths) {
        const int64_t b = std::min<int64_t>(static_cast<int64_t>(p.histogram.size()) - 1,
                                            len * static_cast<int64_t>(p.histogram.size()) / (top + 1));
        ++p.histogram[static_cast<size_t>(b)];
    }
    return p;
}

}  // namespace atelier

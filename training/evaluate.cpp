#include "evaluate.h"

#include "common/error.h"
#include "dataset.h"
#include "eval_metrics.h"
#include "multimodal/multimodal_model.h"
#include "session/chat_session.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

namespace atelier {

namespace {

// The question text shown for an item: its last user message, media markers removed.
std::string question_text(const Example& e) {
    std::string q;
    for (auto it = e.messages.rbegin(); it != e.messages.rend(); ++it)
        if (it->role == "user") {
            q = it->content;
            break;
        }
    for (const char* marker : {"<image>", "<audio>", "<video>"})
        for (size_t at = q.find(marker); at != std::string::npos; at = q.find(marker))
            q.erase(at, std::string(marker).size());
    const size_t b = q.find_first_not_of(" \n\t"), e2 = q.find_last_not_of(" \n\t");
    return b == std::string::npos ? std::string() : q.substr(b, e2 - b + 1);
}

}  // namespace

EvalReport evaluate(const EvalOptions& o) {
    const auto& names = eval_metric_names();
    if (std::find(names.begin(), names.end(), o.metric) == names.end())
        throw Error(ErrorCode::InvalidArgument, "metric",
                    "unknown metric '" + o.metric +
                        "' (first-word, exact, contains, api-call, bleu, rouge-l, perplexity)");
    const auto t0 = std::chrono::steady_clock::now();
    Dataset ds = Dataset::load(o.data);
    auto model = MultimodalModel::load(o.model, o.load);
    if (!o.adapter.empty()) model->llm().attach_adapter(o.adapter);
    ChatSession session(*model);

    EvalReport report;
    report.metric = o.metric;
    report.skipped_rows = ds.bad_rows;
    const bool perplexity = o.metric == "bleu" || o.metric == "rouge-l" || o.metric == "perplexity";
    const bool generate = o.metric != "perplexity";
    const int64_t total = o.limit > 0 ? std::min<int64_t>(o.limit, ds.examples.size()) : ds.examples.size();
    for (int64_t i = 0; i < total; ++i) {
        if (o.cancel && o.cancel->load()) throw Error(ErrorCode::Cancelled, o.data, "evaluation cancelled");
        if (o.progress && !o.progress(i, total))
            throw Error(ErrorCode::Cancelled, o.data, "evaluation cancelled");
        const Example& e = ds.examples[static_cast<size_t>(i)];
        if (e.messages.empty() || e.messages.back().role != "assistant") continue;
        ChatRequest req;
        req.template_name = o.template_name;
        req.video_frames = o.video_frames;
        req.generation.sampling.temperature = 0;
        req.generation.max_new_tokens = o.max_new_tokens;
        for (size_t m = 0; m + 1 < e.messages.size(); ++m) {
            const ChatMessage& msg = e.messages[m];
            if (msg.role == "system") {
                req.system_prompt = msg.content;
                continue;
            }
            req.turns.push_back({msg.role, msg.content, {}});
        }
        if (req.turns.empty()) continue;
        // The example's media belong to its first user turn (LLaVA's convention).
        for (auto& t : req.turns)
            if (t.role == "user") {
                for (const auto& m : e.media) t.attachments.push_back({m.kind, m.path});
                break;
            }
        EvalItem item;
        item.line = e.line;
        item.question = question_text(e);
        item.group = e.category.empty() ? item.question : e.category;
        item.reference = e.messages.back().content;
        if (generate) item.answer = session.generate(req, {}, o.cancel).text;
        if (perplexity) {
            const auto logp = session.score_reply(req, item.reference, o.cancel);
            item.reference_tokens = static_cast<int>(logp.size());
            for (double lp : logp) item.reference_nll -= lp;
        }
        item.score =
            o.metric == "perplexity"
                ? (item.reference_tokens ? std::exp(item.reference_nll / item.reference_tokens) : 0.0)
                : score_answer(o.metric, item.answer, item.reference);
        report.items.push_back(std::move(item));
    }

    report.count = static_cast<int64_t>(report.items.size());
    double nll = 0, tokens = 0, sum = 0;
    std::map<std::string, std::pair<double, double>> by_group;  // name -> (sum, count) or (nll, tokens)
    std::vector<std::string> order;
    for (size_t k = 0; k < report.items.size(); ++k) {
        const EvalItem& it = report.items[k];
        nll += it.reference_nll;
        tokens += it.reference_tokens;
        sum += it.score;
        if (!by_group.count(it.group)) order.push_back(it.group);
        auto& g = by_group[it.group];
        if (o.metric == "perplexity") {
            g.first += it.reference_nll;
            g.second += it.reference_tokens;
        } else {
            g.first += it.score;
            g.second += 1;
        }
        if (is_accuracy_metric(o.metric) && it.score < 1) report.failures.push_back(k);
    }
    if (perplexity && tokens > 0) report.perplexity = std::exp(nll / tokens);
    if (o.metric == "perplexity") {
        report.score = report.perplexity;
    } else if (o.metric == "bleu") {
        std::vector<std::string> answers, references;
        for (const auto& it : report.items) {
            answers.push_back(it.answer);
            references.push_back(it.reference);
        }
        report.score = corpus_bleu(answers, references);
    } else {
        report.score = report.count ? sum / report.count : 0;
    }
    for (const auto& name : order) {
        const auto& g = by_group[name];
        EvalGroup eg;
        eg.name = name;
        eg.count = 0;
        for (const auto& it : report.items) eg.count += it.group == name;
        eg.score =
            o.metric == "perplexity" ? (g.second > 0 ? std::exp(g.first / g.second) : 0) : g.first / g.second;
        report.groups.push_back(eg);
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

}  // namespace atelier

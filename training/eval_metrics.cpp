#include "eval_metrics.h"

#include "common/error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace atelier {

namespace {

bool is_word_char(unsigned char c) {
    return std::isalnum(c) || c >= 0x80;  // UTF-8 bytes stay inside words
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Lower-case, collapse whitespace, trim, drop trailing punctuation.
std::string normalise(const std::string& s) {
    std::string out;
    bool space = false;
    for (unsigned char c : lower(s)) {
        if (std::isspace(c)) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += static_cast<char>(c);
    }
    while (!out.empty() && std::ispunct(static_cast<unsigned char>(out.back()))) out.pop_back();
    return out;
}

std::string first_word(const std::string& s) {
    const std::string l = lower(s);
    size_t i = 0;
    while (i < l.size() && !is_word_char(static_cast<unsigned char>(l[i]))) ++i;
    size_t j = i;
    while (j < l.size() && is_word_char(static_cast<unsigned char>(l[j]))) ++j;
    return l.substr(i, j - i);
}

// n-gram counts of `tokens`.
std::map<std::vector<std::string>, int> ngrams(const std::vector<std::string>& tokens, size_t n) {
    std::map<std::vector<std::string>, int> out;
    for (size_t i = 0; i + n <= tokens.size(); ++i)
        ++out[std::vector<std::string>(tokens.begin() + i, tokens.begin() + i + n)];
    return out;
}

struct BleuStats {
    double matches[4] = {0, 0, 0, 0}, totals[4] = {0, 0, 0, 0};
    double answer_len = 0, reference_len = 0;
    void add(const std::vector<std::string>& a, const std::vector<std::string>& r) {
        answer_len += a.size();
        reference_len += r.size();
        for (size_t n = 1; n <= 4; ++n) {
            auto ca = ngrams(a, n), cr = ngrams(r, n);
            for (const auto& [g, c] : ca) {
                auto it = cr.find(g);
                matches[n - 1] += std::min(c, it == cr.end() ? 0 : it->second);
            }
            totals[n - 1] += a.size() >= n ? a.size() - n + 1 : 0;
        }
    }
    double bleu(bool smooth) const {
        if (answer_len == 0) return 0;
        double log_sum = 0;
        for (int n = 0; n < 4; ++n) {
            double m = matches[n], t = totals[n];
            if (smooth && n > 0) {
                m += 1;
                t += 1;
            }
            if (m <= 0 || t <= 0) return 0;
            log_sum += std::log(m / t);
        }
        const double bp = answer_len >= reference_len ? 1.0 : std::exp(1.0 - reference_len / answer_len);
        return bp * std::exp(log_sum / 4);
    }
};

// Splits arguments at top-level commas (outside quotes and brackets).
std::vector<std::string> split_args(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    char quote = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (quote) {
            cur += c;
            if (c == '\\' && i + 1 < s.size())
                cur += s[++i];
            else if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '"' || c == '\'') quote = c;
        if (c == '(' || c == '[' || c == '{') ++depth;
        if (c == ')' || c == ']' || c == '}') --depth;
        if (c == ',' && depth == 0) {
            out.push_back(cur);
            cur.clear();
            continue;
        }
        cur += c;
    }
    if (!cur.empty() || !out.empty()) out.push_back(cur);
    return out;
}

// Whitespace outside quotes removed, single quotes made double.
std::string canonical_value(const std::string& s) {
    std::string out;
    char quote = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (quote) {
            if (c == quote) {
                out += '"';
                quote = 0;
            } else {
                out += c;
            }
            continue;
        }
        if (c == '"' || c == '\'') {
            quote = c;
            out += '"';
            continue;
        }
        if (!std::isspace(static_cast<unsigned char>(c))) out += c;
    }
    return out;
}

}  // namespace

const std::vector<std::string>& eval_metric_names() {
    static const std::vector<std::string> names = {"first-word", "exact",   "contains",  "api-call",
                                                   "bleu",       "rouge-l", "perplexity"};
    return names;
}

bool is_accuracy_metric(const std::string& m) {
    return m == "first-word" || m == "exact" || m == "contains" || m == "api-call";
}

std::vector<std::string> eval_tokens(const std::string& text) {
    std::vector<std::string> out;
    const std::string l = lower(text);
    size_t i = 0;
    while (i < l.size()) {
        const unsigned char c = static_cast<unsigned char>(l[i]);
        if (std::isspace(c)) {
            ++i;
        } else if (is_word_char(c)) {
            size_t j = i;
            while (j < l.size() && is_word_char(static_cast<unsigned char>(l[j]))) ++j;
            out.push_back(l.substr(i, j - i));
            i = j;
        } else {
            out.push_back(std::string(1, l[i]));
            ++i;
        }
    }
    return out;
}

double sentence_bleu(const std::string& answer, const std::string& reference) {
    BleuStats s;
    s.add(eval_tokens(answer), eval_tokens(reference));
    return s.bleu(/*smooth=*/true);
}

double corpus_bleu(const std::vector<std::string>& answers, const std::vector<std::string>& references) {
    BleuStats s;
    for (size_t i = 0; i < answers.size() && i < references.size(); ++i)
        s.add(eval_tokens(answers[i]), eval_tokens(references[i]));
    return s.bleu(/*smooth=*/false);
}

double rouge_l(const std::string& answer, const std::string& reference) {
    const auto a = eval_tokens(answer), r = eval_tokens(reference);
    if (a.empty() || r.empty()) return 0;
    std::vector<std::vector<int>> L(a.size() + 1, std::vector<int>(r.size() + 1, 0));
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= r.size(); ++j)
            L[i][j] = a[i - 1] == r[j - 1] ? L[i - 1][j - 1] + 1 : std::max(L[i - 1][j], L[i][j - 1]);
    const double lcs = L[a.size()][r.size()];
    if (lcs == 0) return 0;
    const double p = lcs / a.size(), rec = lcs / r.size();
    return 2 * p * rec / (p + rec);
}

ApiCall parse_api_call(const std::string& text) {
    ApiCall call;
    for (size_t open = text.find('('); open != std::string::npos; open = text.find('(', open + 1)) {
        size_t start = open;
        while (start > 0) {
            const unsigned char c = static_cast<unsigned char>(text[start - 1]);
            if (std::isalnum(c) || c == '_' || c == '.')
                --start;
            else
                break;
        }
        if (start == open) continue;
        int depth = 0;
        char quote = 0;
        size_t close = std::string::npos;
        for (size_t i = open; i < text.size(); ++i) {
            const char c = text[i];
            if (quote) {
                if (c == '\\')
                    ++i;
                else if (c == quote)
                    quote = 0;
                continue;
            }
            if (c == '"' || c == '\'')
                quote = c;
            else if (c == '(')
                ++depth;
            else if (c == ')' && --depth == 0) {
                close = i;
                break;
            }
        }
        if (close == std::string::npos) continue;
        call.name = text.substr(start, open - start);
        for (const std::string& arg : split_args(text.substr(open + 1, close - open - 1))) {
            const std::string v = canonical_value(arg);
            if (v.empty()) continue;
            // key=value with an identifier key (not ==, not inside quotes)
            const size_t eq = v.find('=');
            bool keyword = eq != std::string::npos && eq > 0 && (eq + 1 >= v.size() || v[eq + 1] != '=');
            for (size_t i = 0; keyword && i < eq; ++i)
                keyword = std::isalnum(static_cast<unsigned char>(v[i])) || v[i] == '_';
            if (keyword)
                call.keyword.push_back({v.substr(0, eq), v.substr(eq + 1)});
            else
                call.positional.push_back(v);
        }
        std::sort(call.keyword.begin(), call.keyword.end());
        call.found = true;
        return call;
    }
    return call;
}

double score_answer(const std::string& metric, const std::string& answer, const std::string& reference) {
    if (metric == "first-word") {
        const std::string r = first_word(reference);
        return !r.empty() && first_word(answer) == r ? 1.0 : 0.0;
    }
    if (metric == "exact") return normalise(answer) == normalise(reference) ? 1.0 : 0.0;
    if (metric == "contains") {
        const std::string r = normalise(reference);
        return !r.empty() && normalise(answer).find(r) != std::string::npos ? 1.0 : 0.0;
    }
    if (metric == "api-call") {
        const ApiCall a = parse_api_call(answer), r = parse_api_call(reference);
        return a.found && r.found && a.name == r.name && a.positional == r.positional &&
                       a.keyword == r.keyword
                   ? 1.0
                   : 0.0;
    }
    if (metric == "bleu") return sentence_bleu(answer, reference);
    if (metric == "rouge-l") return rouge_l(answer, reference);
    throw Error(
        ErrorCode::InvalidArgument, "metric",
        "unknown metric '" + metric + "' (first-word, exact, contains, api-call, bleu, rouge-l, perplexity)");
}

}  // namespace atelier

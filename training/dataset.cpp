#include "dataset.h"

#include "common/error.h"
#include "common/json_util.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace atelier {

namespace {

// Yields the records of a JSON Lines file or of a top-level JSON array, one at a time, each with
// the line it starts on. Only brackets, braces and strings are tracked: the records themselves are
// parsed by nlohmann::json.
class RecordReader {
public:
    explicit RecordReader(const std::string& path) : m_path(path), m_in(path, std::ios::binary) {
        if (!m_in) throw Error(ErrorCode::FileNotFound, path, "cannot open the dataset");
        m_in.seekg(0, std::ios::end);
        m_size = static_cast<int64_t>(m_in.tellg());
        m_in.seekg(0);
        // Skip a UTF-8 BOM and leading whitespace to see whether this is an array.
        int c = peek_significant();
        if (c == 0xEF) {
            m_in.get(), m_in.get(), m_in.get();
            c = peek_significant();
        }
        m_array = c == '[';
        if (m_array)
            m_in.get();
        else
            --m_line;  // next_line() counts the line it reads
    }

    int64_t size() const { return m_size; }
    int64_t position() { return static_cast<int64_t>(m_in.tellg()); }
    int64_t line() const { return m_line; }
    bool is_array() const { return m_array; }

    // Next record's text and first line; nullopt at the end. `error` receives a structural
    // problem (unterminated record) with the line.
    std::optional<std::pair<int64_t, std::string>> next(std::string* error) {
        return m_array ? next_element(error) : next_line();
    }

private:
    int peek_significant() {
        while (true) {
            int c = m_in.peek();
            if (c == EOF) return EOF;
            if (c == ' ' || c == '\t' || c == '\r') {
                m_in.get();
            } else if (c == '\n') {
                m_in.get();
                ++m_line;
            } else {
                return c;
            }
        }
    }

    std::optional<std::pair<int64_t, std::string>> next_line() {
        std::string line;
        while (std::getline(m_in, line)) {
            ++m_line;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.find_first_not_of(" \t") != std::string::npos) return std::make_pair(m_line, line);
        }
        return std::nullopt;
    }

    std::optional<std::pair<int64_t, std::string>> next_element(std::string* error) {
        if (m_done) return std::nullopt;
        int c = peek_significant();
        if (c == ',') {
            m_in.get();
            c = peek_significant();
        }
        if (c == ']' || c == EOF) {
            m_done = true;
            if (c == EOF && error) *error = "the file ends before the closing ']' of the array";
            return std::nullopt;
        }
        const int64_t start = m_line;
        std::string text;
        int depth = 0;
        bool in_string = false, escape = false;
        while ((c = m_in.get()) != EOF) {
            const char ch = static_cast<char>(c);
            if (ch == '\n') ++m_line;
            if (in_string) {
                text += ch;
                if (escape)
                    escape = false;
                else if (ch == '\\')
                    escape = true;
                else if (ch == '"')
                    in_string = false;
                continue;
            }
            if (depth == 0 && (ch == ',' || ch == ']')) {  // end of a scalar element
                m_in.unget();
                return std::make_pair(start, text);
            }
            text += ch;
            if (ch == '"')
                in_string = true;
            else if (ch == '{' || ch == '[')
                ++depth;
            else if (ch == '}' || ch == ']') {
                if (--depth == 0) return std::make_pair(start, text);
            }
        }
        m_done = true;
        if (error) *error = "the file ends inside this record";
        return std::make_pair(start, text);
    }

    std::string m_path;
    std::ifstream m_in;
    int64_t m_size = 0;
    int64_t m_line = 1;
    bool m_array = false;
    bool m_done = false;
};

struct BadRow : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string text_of(const json& v, const char* field) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "";
    if (v.is_array()) {  // OpenAI content parts: [{"type": "text", "text": "..."}, {"type": "image_url",
                         // ...}]
        std::string out;
        for (const auto& part : v)
            if (part.is_object() && part.value("type", "") == "text") out += part.value("text", "");
        return out;
    }
    throw BadRow(std::string("'") + field + "' must be a string");
}

std::string role_of(const std::string& from) {
    if (from == "human" || from == "user") return "user";
    if (from == "gpt" || from == "assistant" || from == "chatgpt" || from == "bing" || from == "bard" ||
        from == "model")
        return "assistant";
    if (from == "system") return "system";
    throw BadRow("unknown speaker '" + from + "' (expected human/user, gpt/assistant or system)");
}

// Ends with an assistant turn (a trailing user turn has nothing to learn from and is dropped),
// alternates, and has a non-empty reply.
void normalise(Example& e) {
    while (!e.messages.empty() && e.messages.back().role != "assistant") e.messages.pop_back();
    if (e.messages.empty()) throw BadRow("no assistant reply to learn from");
    for (size_t i = 0; i < e.messages.size(); ++i) {
        const auto& m = e.messages[i];
        if (m.role == "system" && i != 0) throw BadRow("a system message may only come first");
        if (i > 0 && m.role == e.messages[i - 1].role) throw BadRow("two " + m.role + " turns in a row");
    }
    bool reply = false;
    for (const auto& m : e.messages) reply |= m.role == "assistant" && !m.content.empty();
    if (!reply) throw BadRow("the assistant replies are empty");
}

// A media path from the record, resolved under the dataset folder; escaping it is refused.
// A row's bad path is a bad row: a name past PATH_MAX or a symlink loop (ENAMETOOLONG, ELOOP)
// is reported with its line like any other, never thrown past skip_bad_rows.
std::string resolve_media(const fs::path& root, const std::string& relative) {
    if (relative.empty()) throw BadRow("empty media path");
    const std::string shown = relative.size() > 200 ? relative.substr(0, 200) + "…" : relative;
    fs::path p(relative);
    if (p.is_absolute())
        throw BadRow("media path '" + shown + "' is absolute; it must be inside the dataset folder");
    std::error_code ec;
    const fs::path full = fs::weakly_canonical(root / p, ec);
    if (ec) throw BadRow("media path '" + shown + "' cannot be resolved: " + ec.message());
    const fs::path base = fs::weakly_canonical(root, ec);
    if (ec) throw BadRow("the dataset folder cannot be resolved: " + ec.message());
    auto [b, f] = std::mismatch(base.begin(), base.end(), full.begin(), full.end());
    if (b != base.end()) throw BadRow("media path '" + shown + "' escapes the dataset folder");
    return full.string();
}

void read_media(const json& j, const fs::path& root, Example& e) {
    for (const char* kind : {"image", "audio", "video"}) {
        if (!j.contains(kind) || j[kind].is_null()) continue;
        const json& v = j[kind];
        std::vector<std::string> paths;
        if (v.is_string())
            paths.push_back(v.get<std::string>());
        else if (v.is_array())
            for (const auto& p : v) paths.push_back(p.is_string() ? p.get<std::string>() : "");
        else
            throw BadRow(std::string("'") + kind + "' must be a path or a list of paths");
        for (const auto& p : paths) e.media.push_back({kind, resolve_media(root, p)});
    }
}

Example convert(const json& j, DatasetFormat format, const fs::path& root) {
    if (!j.is_object()) throw BadRow("a record must be a JSON object");
    Example e;
    switch (format) {
        case DatasetFormat::Alpaca: {
            if (!j.contains("instruction")) throw BadRow("missing 'instruction'");
            if (!j.contains("output")) throw BadRow("missing 'output'");
            std::string user = text_of(j["instruction"], "instruction");
            const std::string input = j.contains("input") ? text_of(j["input"], "input") : "";
            if (!input.empty()) user += "\n\n" + input;
            if (j.contains("system") && j["system"].is_string() && !j["system"].get<std::string>().empty())
                e.messages.push_back({"system", j["system"].get<std::string>()});
            e.messages.push_back({"user", user});
            e.messages.push_back({"assistant", text_of(j["output"], "output")});
            break;
        }
        case DatasetFormat::ShareGPT:
        case DatasetFormat::LLaVA: {
            if (!j.contains("conversations") || !j["conversations"].is_array())
                throw BadRow("missing 'conversations' list");
            if (j.contains("system") && j["system"].is_string() && !j["system"].get<std::string>().empty())
                e.messages.push_back({"system", j["system"].get<std::string>()});
            for (const auto& turn : j["conversations"]) {
                if (!turn.is_object() || !turn.contains("from") || !turn.contains("value"))
                    throw BadRow("each turn needs 'from' and 'value'");
                e.messages.push_back(
                    {role_of(turn["from"].get<std::string>()), text_of(turn["value"], "value")});
            }
            read_media(j, root, e);
            break;
        }
        case DatasetFormat::OpenAIMessages: {
            if (!j.contains("messages") || !j["messages"].is_array()) throw BadRow("missing 'messages' list");
            for (const auto& m : j["messages"]) {
                if (!m.is_object() || !m.contains("role") || !m.contains("content"))
                    throw BadRow("each message needs 'role' and 'content'");
                e.messages.push_back(
                    {role_of(m["role"].get<std::string>()), text_of(m["content"], "content")});
            }
            read_media(j, root, e);
            break;
        }
        case DatasetFormat::Auto: break;
    }
    normalise(e);
    if (j.contains("category") && j["category"].is_string()) e.category = j["category"].get<std::string>();
    return e;
}

DatasetFormat format_of(const json& j) {
    if (!j.is_object()) return DatasetFormat::Auto;
    if (j.contains("instruction") && j.contains("output")) return DatasetFormat::Alpaca;
    if (j.contains("messages")) return DatasetFormat::OpenAIMessages;
    if (j.contains("conversations"))
        return j.contains("image") || j.contains("video") || j.contains("audio") ? DatasetFormat::LLaVA
                                                                                 : DatasetFormat::ShareGPT;
    return DatasetFormat::Auto;
}

}  // namespace

const char* dataset_format_name(DatasetFormat f) {
    switch (f) {
        case DatasetFormat::Auto: return "auto";
        case DatasetFormat::Alpaca: return "alpaca";
        case DatasetFormat::ShareGPT: return "sharegpt";
        case DatasetFormat::OpenAIMessages: return "openai";
        case DatasetFormat::LLaVA: return "llava";
    }
    return "auto";
}

DatasetFormat dataset_format_from_name(const std::string& name) {
    for (auto f : {DatasetFormat::Auto, DatasetFormat::Alpaca, DatasetFormat::ShareGPT,
                   DatasetFormat::OpenAIMessages, DatasetFormat::LLaVA})
        if (name == dataset_format_name(f)) return f;
    throw Error(ErrorCode::InvalidArgument, "format",
                "unknown dataset format '" + name + "' (expected auto, alpaca, sharegpt, openai or llava)");
}

DatasetFormat detect_dataset_format(const std::string& path) {
    RecordReader reader(path);
    std::string error;
    for (int tries = 0; tries < 20; ++tries) {
        auto rec = reader.next(&error);
        if (!rec) break;
        const auto j = try_parse_json(rec->second);
        if (!j) continue;
        const DatasetFormat f = format_of(*j);
        if (f != DatasetFormat::Auto) return f;
    }
    throw Error(ErrorCode::UnsupportedFormat, path,
                "no record looks like Alpaca (instruction/output), ShareGPT or LLaVA (conversations) or "
                "OpenAI (messages)");
}

Dataset Dataset::load(const std::string& path, const DatasetOptions& options) {
    if (!fs::is_regular_file(path)) throw Error(ErrorCode::FileNotFound, path, "no such dataset file");
    Dataset ds;
    ds.path = path;
    ds.format = options.format == DatasetFormat::Auto ? detect_dataset_format(path) : options.format;
    const fs::path root = fs::absolute(path).parent_path();
    RecordReader reader(path);
    auto report = [&](int64_t line, const std::string& message) {
        ++ds.bad_rows;
        if (!options.skip_bad_rows)
            throw Error(ErrorCode::BadJson, path + ":" + std::to_string(line), message);
        if (static_cast<int64_t>(ds.issues.size()) < options.max_issues)
            ds.issues.push_back({path, line, message});
    };
    std::string structural;
    while (auto rec = reader.next(&structural)) {
        ++ds.total_rows;
        const auto& [line, text] = *rec;
        std::string why;
        const auto j = try_parse_json(text, &why);
        if (!j) {
            report(line, why);
        } else {
            try {
                Example e = convert(*j, ds.format, root);
                e.line = line;
                ds.examples.push_back(std::move(e));
            } catch (const BadRow& bad) {
                report(line, bad.what());
            } catch (const json::exception& bad) {
                report(line, std::string("unexpected value: ") + bad.what());
            }
        }
        if (options.progress && ds.total_rows % 4096 == 0 &&
            !options.progress(reader.position(), reader.size()))
            throw Error(ErrorCode::Cancelled, path, "loading cancelled");
        structural.clear();
    }
    if (!structural.empty()) report(reader.line(), structural);
    if (ds.examples.empty())
        throw Error(ErrorCode::BadJson, path,
                    "no usable example (" + std::to_string(ds.bad_rows) + " bad rows of " +
                        std::to_string(ds.total_rows) + ")");
    return ds;
}

std::string Dataset::fingerprint(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::FileNotFound, path, "cannot open the dataset");
    // FNV-1a over the bytes: cheap, stable, enough to tell datasets apart.
    uint64_t h = 1469598103934665603ULL;
    char buf[1 << 16];
    int64_t size = 0;
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        const auto n = in.gcount();
        for (std::streamsize i = 0; i < n; ++i)
            h = (h ^ static_cast<unsigned char>(buf[i])) * 1099511628211ULL;
        size += n;
    }
    std::ostringstream out;
    out << "fnv1a64:" << std::hex << h << ":" << std::dec << size;
    return out.str();
}

}  // namespace atelier

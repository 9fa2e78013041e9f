// Fine-tuning datasets: Alpaca, ShareGPT, OpenAI `messages` and LLaVA files read into one form,
// a conversation per example, with every bad row reported by file and line.
//
// Files are read as a stream: JSON Lines one line at a time, a top-level JSON array one element at
// a time, so a large file never sits in memory as one JSON document. Media paths (LLaVA `image`,
// and `audio`/`video` the same way) resolve under the dataset's folder and may not escape it.
//
//   atelier::DatasetOptions opt;                      // format auto-detected, bad rows skipped
//   atelier::Dataset ds = atelier::Dataset::load("alpaca_data.json", opt);   // throws atelier::Error
//   for (const auto& issue : ds.issues) std::cerr << issue.file << ":" << issue.line << ": " <<
//   issue.message;
#pragma once

#include "chat/chat_template.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace atelier {

enum class DatasetFormat { Auto, Alpaca, ShareGPT, OpenAIMessages, LLaVA };
const char* dataset_format_name(DatasetFormat f);  // "auto" | "alpaca" | "sharegpt" | "openai" | "llava"
DatasetFormat dataset_format_from_name(const std::string& name);  // throws ErrorCode::InvalidArgument

struct MediaRef {
    std::string kind;  // "image" | "audio" | "video"
    std::string path;  // absolute, inside the dataset folder
};

struct Example {
    std::vector<ChatMessage> messages;  // optional system, then user/assistant turns ending with assistant
    std::vector<MediaRef> media;
    std::string category;  // the record's optional "category" (evaluation groups results by it)
    int64_t line = 0;      // 1-based line where the record starts
};

struct DatasetIssue {
    std::string file;
    int64_t line = 0;
    std::string message;
};

struct DatasetOptions {
    DatasetFormat format = DatasetFormat::Auto;
    bool skip_bad_rows = true;  // false: the first bad row throws ErrorCode::BadJson naming file:line
    int64_t max_issues = 1000;  // issues kept for the report (all are counted)
    // Called every few thousand records with bytes read and total; return false to cancel.
    std::function<bool(int64_t done, int64_t total)> progress;
};

struct Dataset {
    std::string path;
    DatasetFormat format = DatasetFormat::Auto;  // as detected
    std::vector<Example> examples;
    std::vector<DatasetIssue> issues;  // bad rows (first max_issues)
    int64_t bad_rows = 0;
    int64_t total_rows = 0;

    static Dataset load(const std::string& path, const DatasetOptions& options = {});
    // A fingerprint of the file (size, mtime and a hash of its bytes) for the run store.
    static std::string fingerprint(const std::string& path);
};

// The format a file is in, from its first record. Throws ErrorCode::BadJson / UnsupportedFormat.
DatasetFormat detect_dataset_format(const std::string& path);

}  // namespace atelier

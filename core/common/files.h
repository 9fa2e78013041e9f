// Whole small files (configs, manifests) as text.
//
//   std::string text = atelier::read_text_file(dir + "/config.json");  // throws atelier::Error
//   atelier::write_text_file(dir + "/config.json", text);               // atomic
#pragma once

#include <string>

namespace atelier {

// FileNotFound when `path` does not exist, Io when it cannot be read; `where` is the path.
std::string read_text_file(const std::string& path);
// Writes `path.tmp`, then renames it over `path`: a crash never leaves a half-written file.
// Io naming the file when it cannot be written or moved into place.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace atelier

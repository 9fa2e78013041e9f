// Whole small files (configs, manifests) as text.
//
//   std::string text = atelier::read_text_file(dir + "/config.json");  // throws atelier::Error
#pragma once

#include <string>

namespace atelier {

// FileNotFound when `path` does not exist, Io when it cannot be read; `where` is the path.
std::string read_text_file(const std::string& path);

}  // namespace atelier

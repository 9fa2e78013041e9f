// Validates a model folder or file with the engine, without loading weights into memory:
// checkpoint format, config, every tensor present with the right shape, tokenizer, chat template.
// Slow for Meta .pth folders (they are unpickled), so the Models page runs it on a worker thread.
//
//   ModelRecord r = inspectModel("/models/Llama-2-7b-chat-hf");   // throws atelier::Error
#pragma once

#include "chat_store.h"

ModelRecord inspectModel(const QString& path);
// How the studio names a model: its folder or file name; a folder named for its format ("hf",
// "llama2c", ...) is named by its parent too: "stories260K (hf)".
QString modelDisplayName(const QString& path);
// The form of `path` the library stores (absolute, cleaned).
QString normalizedModelPath(const QString& path);

// Engine errors in the user's language: a translated sentence for the error code, then the facts
// the engine gave (file, tensor, detail), which are data and stay as they are.
//
//   QMessageBox::warning(this, tr("Cannot add model"), errorText(error));
#pragma once

#include "engine_types.h"

namespace atelier {
class Error;
}

#include <exception>

QString errorSentence(int code);          // "The file is shorter than its header says."
QString errorText(const EngineError& e);  // sentence + "\n" + where: detail
// An atelier::Error's code, where and detail; anything else (torch, std::filesystem, bad_alloc) as
// code -1 with its what(): every thread and slot boundary turns what it caught into this.
EngineError engineErrorFrom(const std::exception& e);

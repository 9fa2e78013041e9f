// Engine errors in the user's language: a translated sentence for the error code, then the facts
// the engine gave (file, tensor, detail), which are data and stay as they are.
//
//   QMessageBox::warning(this, tr("Cannot add model"), errorText(error));
#pragma once

#include "engine_types.h"

namespace atelier {
class Error;
}

QString errorSentence(int code);          // "The file is shorter than its header says."
QString errorText(const EngineError& e);  // sentence + "\n" + where: detail
EngineError engineErrorFrom(const atelier::Error& e);

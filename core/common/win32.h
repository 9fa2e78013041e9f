// <windows.h> as every Atelier file takes it (no min/max macros, the lean subset), and the text of a
// Win32 error code. Empty off Windows.
//
//   #include "common/win32.h"
//   #ifdef _WIN32  ...  throw Error(ErrorCode::Io, path, win32_error_text(::GetLastError()));  #endif
#pragma once

#ifdef _WIN32
#ifndef NOMINMAX
#define NOMINMAX
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>

#include <string>
#include <system_error>

namespace atelier {

inline std::string win32_error_text(DWORD err) {
    return std::system_category().message(static_cast<int>(err));
}

}  // namespace atelier
#endif

// Shared by chat_page.cpp (layout, conversations, settings, export) and chat_page_reply.cpp
// (sending, streaming and finishing a reply): constants, the title rule and the store guard.
#pragma once

#include "chat_page.h"
#include "error_text.h"

#include "common/error.h"

#include <QString>

namespace chat_page_detail {

constexpr int kSaveIntervalMs = 500;  // how often a streaming reply is written to the store
constexpr int kFrameMs = 16;          // at most one view update per frame while streaming

inline QString titleFrom(const QString& text) {
    QString line = text.section(QLatin1Char('\n'), 0, 0).simplified();
    if (line.size() > 48) line = line.left(47) + QStringLiteral("…");
    return line;
}

}  // namespace chat_page_detail

template <typename F>
bool ChatPage::guarded(F&& f) {
    try {
        f();
        return true;
    } catch (const atelier::Error& e) {
        showBanner(tr("Your conversations could not be saved.") + QLatin1Char('\n') +
                   errorText(engineErrorFrom(e)));
        return false;
    }
}

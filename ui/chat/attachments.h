// Files attached to a chat message: what kind they are and a content hash, so the message keeps
// pointing at the same bytes (a later change of the file is detectable).
#pragma once

#include "chat_store.h"

#include <QImage>

// Describes `path` (kind from its MIME type, SHA-256 of its content). An empty record (path "")
// when the file cannot be read.
AttachmentRecord describeAttachment(const QString& path);
// Saves a pasted image as PNG under `folder` (named by its hash) and describes it.
AttachmentRecord saveImageAttachment(const QImage& image, const QString& folder);

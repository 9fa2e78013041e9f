#include "attachments.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMimeDatabase>

AttachmentRecord describeAttachment(const QString& path) {
    QFile f(path);
    if (!QFileInfo(path).isFile() || !f.open(QIODevice::ReadOnly)) return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    if (!hash.addData(&f)) return {};
    AttachmentRecord a;
    a.path = QFileInfo(path).absoluteFilePath();
    a.sha256 = QString::fromLatin1(hash.result().toHex());
    a.size = f.size();
    const QString mime = QMimeDatabase().mimeTypeForFile(path).name();
    if (mime.startsWith(QLatin1String("image/")))
        a.kind = QStringLiteral("image");
    else if (mime.startsWith(QLatin1String("audio/")))
        a.kind = QStringLiteral("audio");
    else if (mime.startsWith(QLatin1String("video/")))
        a.kind = QStringLiteral("video");
    else
        a.kind = QStringLiteral("file");
    return a;
}

AttachmentRecord saveImageAttachment(const QImage& image, const QString& folder) {
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    if (image.isNull() || !image.save(&buffer, "PNG")) return {};
    QDir().mkpath(folder);
    const QString hash =
        QString::fromLatin1(QCryptographicHash::hash(png, QCryptographicHash::Sha256).toHex());
    const QString path = QDir(folder).filePath(QStringLiteral("pasted-%1.png").arg(hash.left(16)));
    QFile f(path);
    if (!QFileInfo::exists(path) && (!f.open(QIODevice::WriteOnly) || f.write(png) != png.size())) return {};
    return describeAttachment(path);
}

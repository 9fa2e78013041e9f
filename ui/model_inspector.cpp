#include "model_inspector.h"

#include "chat/chat_template.h"
#include "common/error.h"
#include "model/importers.h"
#include "tokenizer/tokenizer.h"

#include <QDir>
#include <QFileInfo>

QString normalizedModelPath(const QString& path) {
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

QString modelDisplayName(const QString& path) {
    const QFileInfo info(path);
    const QString name = info.isDir() ? info.fileName() : info.completeBaseName();
    static const QStringList generic = {"hf",         "model",   "models", "weights",
                                        "checkpoint", "llama2c", "meta",   "original"};
    if (generic.contains(name, Qt::CaseInsensitive) && !info.dir().dirName().isEmpty())
        return QStringLiteral("%1 (%2)").arg(QFileInfo(info.absolutePath()).fileName(), name);
    return name;
}

ModelRecord inspectModel(const QString& path) {
    const QString clean = normalizedModelPath(path);
    if (!QFileInfo::exists(clean))
        throw atelier::Error(atelier::ErrorCode::FileNotFound, clean.toStdString(), "no such file or folder");
    const atelier::Checkpoint ck = atelier::load_checkpoint(clean.toStdString());
    if (ck.tokenizer_path.empty())
        throw atelier::Error(atelier::ErrorCode::FileNotFound, clean.toStdString(),
                             "no tokenizer.json or tokenizer.model beside the weights");
    atelier::load_tokenizer(ck.tokenizer_path);  // throws on a broken tokenizer
    ModelRecord r;
    r.path = clean;
    QFileInfo info(clean);
    r.name = modelDisplayName(clean);
    r.format = QString::fromLatin1(atelier::checkpoint_format_name(ck.format));
    r.architecture = QString::fromStdString(ck.config.architecture);
    r.modelType = QString::fromStdString(ck.config.model_type);
    r.parameters = ck.config.num_parameters();
    r.dtype = QString::fromStdString(ck.config.torch_dtype);
    r.contextLength = ck.config.max_position_embeddings;
    r.chatTemplate = QString::fromStdString(atelier::template_for_model(ck.tokenizer_config_path).name());
    r.sizeOnDisk = ck.size_on_disk;
    return r;
}

#include "model_inspector.h"

#include "chat/chat_template.h"
#include "common/error.h"
#include "model/importers.h"
#include "multimodal/multimodal_model.h"
#include "tokenizer/tokenizer.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

QString normalizedModelPath(const QString& path) {
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}

QString modelDisplayName(const QString& path) {
    const QFileInfo info(path);
    const QString name = info.isDir() ? info.fileName() : info.completeBaseName();
    static const QStringList generic = {"hf",      "model", "models",   "weights", "checkpoint",
                                        "llama2c", "meta",  "original", "bundle"};
    if (generic.contains(name, Qt::CaseInsensitive) && !info.dir().dirName().isEmpty())
        return QStringLiteral("%1 (%2)").arg(QFileInfo(info.absolutePath()).fileName(), name);
    return name;
}

ModelRecord inspectModel(const QString& path) {
    const QString clean = normalizedModelPath(path);
    if (!QFileInfo::exists(clean))
        throw atelier::Error(atelier::ErrorCode::FileNotFound, clean.toStdString(), "no such file or folder");
    const std::string kind = atelier::MultimodalModel::detect_kind(clean.toStdString());
    const atelier::Checkpoint ck =
        atelier::load_checkpoint(atelier::MultimodalModel::language_model_path(clean.toStdString()));
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
    if (kind != "llm") {
        // The encoders and projectors (their weights checked, no language model loaded).
        const auto mm =
            atelier::MultimodalModel::load(clean.toStdString(), {}, /*with_language_model=*/false);
        QJsonArray media;
        for (const auto& spec : mm->modalities())
            media.push_back(QJsonObject{{"modality", QString::fromStdString(spec.modality)},
                                        {"encoder", QString::fromStdString(spec.encoder)},
                                        {"projector", QString::fromStdString(spec.projector)},
                                        {"tokens", static_cast<qint64>(spec.tokens_per_item)},
                                        {"tokens_per_second", spec.tokens_per_second},
                                        {"frames", spec.frames}});
        r.media = QString::fromUtf8(QJsonDocument(media).toJson(QJsonDocument::Compact));
        if (!mm->chat_template().empty()) r.chatTemplate = QString::fromStdString(mm->chat_template());
        if (kind == "bundle")
            r.format = QStringLiteral("bundle");
        else if (kind == "llava")
            r.format = QStringLiteral("llava");
    }
    return r;
}

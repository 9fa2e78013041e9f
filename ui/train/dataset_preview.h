// The Train page's dataset preview, worked out on a worker thread: the model's config, the dataset
// read and rendered for the model's chat template, and for the first examples what their media
// files are (an image's size and thumbnail, an audio or video file's duration, the video frames
// sampled). Every file is read there, never on the GUI thread; a file that cannot be read is
// reported on its line instead.
//
//   DatasetPreviewRequest rq{dataPath, modelPath, "auto", 512, 8, 8};
//   // never throws:
//   watcher.setFuture(QtConcurrent::run(backgroundPool(), [rq] { return runDatasetPreview(rq); }));
//   // GUI thread, when finished:
//   item->setText(previewItemHtml(r->preview.examples[i], r->media.value(i), highlight));
//   item->setData(previewThumbnails(r->media.value(i)), PreviewThumbnailsRole);
//   view->setItemDelegate(new PreviewDelegate(view));   // draws the HTML with its thumbnails
#pragma once

#include "collate.h"
#include "engine_types.h"
#include "train_config.h"

#include <QColor>
#include <QCoreApplication>
#include <QImage>
#include <QStyledItemDelegate>
#include <QVariantList>

// One attachment of a previewed example.
struct PreviewMedia {
    QString kind;      // "image" | "audio" | "video"
    QString fileName;  // without the folder
    int width = 0, height = 0;
    double duration = 0;  // seconds (audio, video)
    int frames = 0;       // video: frames sampled (the frames-per-video setting)
    QImage thumbnail;     // image, or a video's first sampled frame: at most 48 px a side
    EngineError error;    // code -1 with an empty detail: read fine
    bool ok = false;
};

// What the worker thread finds out about a dataset for a model.
struct DatasetPreviewResult {
    atelier::ModelConfig model;
    atelier::DatasetPreview preview;
    QString format;
    qint64 rows = 0, bad = 0;
    QVector<QPair<qint64, QString>> issues;  // line, problem
    QVector<QVector<PreviewMedia>> media;    // of preview.examples[i]; empty when none has media
    int videoFrames = 0;                     // frames per video it sampled with
    bool hasVideo = false;                   // among the previewed examples
    EngineError error;                       // code -1 with an empty detail: no error
    bool ok = false;
};

struct DatasetPreviewRequest {
    QString data, model;
    std::string format;  // "auto" | "alpaca" | ...
    int64_t maxLength = 512;
    int examples = 8;  // rendered (and their media read)
    int videoFrames = 8;
};

// Runs on a worker thread; the caller owns the result. Never throws: failures land in `error`.
DatasetPreviewResult* runDatasetPreview(const DatasetPreviewRequest& request);

// The item's HTML: the prompt (masked) grey, the reply (trained) bold on `trained`, then a line per
// attachment; thumbnails are <img src="thumb:N"> of previewThumbnails(media)[N].
QString previewItemHtml(const std::vector<atelier::PreviewSpan>& spans, const QVector<PreviewMedia>& media,
                        const QColor& trained);
QVariantList previewThumbnails(const QVector<PreviewMedia>& media);  // QImages

// The preview list's items: HTML (Qt::DisplayRole) laid out at the view's width, with the images of
// PreviewThumbnailsRole as the document's "thumb:N" resources.
enum { PreviewThumbnailsRole = Qt::UserRole + 1 };
class PreviewDelegate : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

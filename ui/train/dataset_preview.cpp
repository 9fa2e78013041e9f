#include "dataset_preview.h"

#include "error_text.h"

#include "common/error.h"
#include "dataset.h"
#include "media/media.h"
#include "model/importers.h"
#include "tokenizer/tokenizer.h"

#include <QAbstractTextDocumentLayout>
#include <QFileInfo>
#include <QPainter>
#include <QTextDocument>
#include <QUrl>

#include <algorithm>

namespace {

constexpr int kThumbnail = 48;  // px, the longer side

// The preview's sentences (translation context "DatasetPreviewText").
class DatasetPreviewText {
    Q_DECLARE_TR_FUNCTIONS(DatasetPreviewText)
};

// A copy (the RGB8 buffer is not kept), no larger than kThumbnail a side.
QImage thumbnailOf(const atelier::Image& img) {
    if (img.width <= 0 || img.height <= 0) return {};
    const QImage view(img.rgb.data(), img.width, img.height, img.width * 3, QImage::Format_RGB888);
    if (img.width <= kThumbnail && img.height <= kThumbnail) return view.copy();
    return view.scaled(kThumbnail, kThumbnail, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}

PreviewMedia describeMedia(const atelier::MediaRef& ref, int frames) {
    PreviewMedia m;
    m.kind = QString::fromStdString(ref.kind);
    m.fileName = QFileInfo(QString::fromStdString(ref.path)).fileName();
    try {
        if (ref.kind == "image") {
            const atelier::Image img = atelier::decode_image(ref.path);  // upright, as training sees it
            m.width = img.width;
            m.height = img.height;
            m.thumbnail = thumbnailOf(img);
        } else {
            const atelier::MediaInfo info = atelier::probe_media(ref.path);
            m.duration = info.duration;
            m.width = info.width;
            m.height = info.height;
            if (ref.kind == "video") {
                const auto sampled = atelier::sample_video_frames(ref.path, frames);
                m.frames = static_cast<int>(sampled.size());
                if (!sampled.empty()) m.thumbnail = thumbnailOf(sampled.front().image);
            }
        }
        m.ok = true;
    } catch (const atelier::Error& e) {
        m.error = engineErrorFrom(e);
    } catch (const std::exception& e) {
        m.error = {-1, QString(), QString::fromUtf8(e.what())};
    }
    return m;
}

QString mediaLine(const PreviewMedia& m) {
    const QString kind = m.kind == QLatin1String("image")   ? DatasetPreviewText::tr("Image")
                         : m.kind == QLatin1String("audio") ? DatasetPreviewText::tr("Audio")
                         : m.kind == QLatin1String("video") ? DatasetPreviewText::tr("Video")
                                                            : m.kind;
    if (!m.ok)
        return DatasetPreviewText::tr("%1 %2 cannot be read: %3").arg(kind, m.fileName, errorText(m.error));
    if (m.kind == QLatin1String("image"))
        return DatasetPreviewText::tr("%1 %2: %3×%4 pixels").arg(kind, m.fileName).arg(m.width).arg(m.height);
    if (m.kind == QLatin1String("video"))
        return DatasetPreviewText::tr("%1 %2: %3 s, %4×%5, %6 frames sampled")
            .arg(kind, m.fileName)
            .arg(m.duration, 0, 'f', 1)
            .arg(m.width)
            .arg(m.height)
            .arg(m.frames);
    return DatasetPreviewText::tr("%1 %2: %3 s").arg(kind, m.fileName).arg(m.duration, 0, 'f', 1);
}

void fillDocument(QTextDocument& doc, const QModelIndex& index, int width) {
    doc.setHtml(index.data().toString());
    const QVariantList thumbs = index.data(PreviewThumbnailsRole).toList();
    for (int i = 0; i < thumbs.size(); ++i)
        doc.addResource(QTextDocument::ImageResource, QUrl(QStringLiteral("thumb:%1").arg(i)), thumbs[i]);
    doc.setTextWidth(width);
}

}  // namespace

DatasetPreviewResult* runDatasetPreview(const DatasetPreviewRequest& rq) {
    auto* r = new DatasetPreviewResult;
    r->videoFrames = rq.videoFrames;
    try {
        const atelier::Checkpoint ck = atelier::load_checkpoint(rq.model.toStdString());
        r->model = ck.config;
        auto tok = atelier::load_tokenizer(ck.tokenizer_path);
        const atelier::ChatTemplate tpl = atelier::template_for_model(ck.tokenizer_config_path);
        atelier::DatasetOptions opt;
        opt.format = atelier::dataset_format_from_name(rq.format);
        const atelier::Dataset ds = atelier::Dataset::load(rq.data.toStdString(), opt);
        r->format = QString::fromLatin1(atelier::dataset_format_name(ds.format));
        r->rows = ds.total_rows;
        r->bad = ds.bad_rows;
        for (const auto& issue : ds.issues)
            r->issues.push_back({issue.line, QString::fromStdString(issue.message)});
        r->preview = atelier::preview_dataset(ds, tpl, *tok, rq.maxLength, rq.examples, 10);
        // preview_dataset renders the first examples: their media, in the same order.
        const size_t shown = std::min(ds.examples.size(), r->preview.examples.size());
        bool any = false;
        for (size_t i = 0; i < shown; ++i) any |= !ds.examples[i].media.empty();
        for (size_t i = 0; any && i < shown; ++i) {
            QVector<PreviewMedia> media;
            for (const auto& ref : ds.examples[i].media) {
                media.push_back(describeMedia(ref, rq.videoFrames));
                r->hasVideo |= ref.kind == "video";
            }
            r->media.push_back(media);
        }
        r->ok = true;
    } catch (const atelier::Error& e) {
        r->error = engineErrorFrom(e);
    } catch (const std::exception& e) {
        r->error = {-1, QString(), QString::fromUtf8(e.what())};
    }
    return r;
}

QString previewItemHtml(const std::vector<atelier::PreviewSpan>& spans, const QVector<PreviewMedia>& media,
                        const QColor& trained) {
    QString html = QStringLiteral("<div style='white-space: pre-wrap'>");
    for (const auto& s : spans) {
        const QString t = QString::fromStdString(s.text).toHtmlEscaped();
        html += s.trained
                    ? QStringLiteral(
                          "<span style='background-color: rgba(%1,%2,%3,60); font-weight: 600'>%4</span>")
                          .arg(trained.red())
                          .arg(trained.green())
                          .arg(trained.blue())
                          .arg(t)
                    : QStringLiteral("<span style='color: gray'>%1</span>").arg(t);
    }
    html += QStringLiteral("</div>");
    int thumb = 0;
    for (const PreviewMedia& m : media) {
        html += QStringLiteral("<p style='margin-top: 4px'>");
        if (!m.thumbnail.isNull())
            html +=
                QStringLiteral("<img src='thumb:%1' width='%2' height='%3' style='vertical-align: middle'> ")
                    .arg(thumb++)
                    .arg(m.thumbnail.width())
                    .arg(m.thumbnail.height());
        html += QStringLiteral("<span style='color: %1'>%2</span></p>")
                    .arg(m.ok ? QStringLiteral("gray") : QStringLiteral("#c0392b"),
                         mediaLine(m).toHtmlEscaped().replace(QLatin1Char('\n'), QStringLiteral("<br>")));
    }
    return html;
}

QVariantList previewThumbnails(const QVector<PreviewMedia>& media) {
    QVariantList thumbs;
    for (const PreviewMedia& m : media)
        if (!m.thumbnail.isNull()) thumbs << m.thumbnail;
    return thumbs;
}

void PreviewDelegate::paint(QPainter* p, const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QTextDocument doc;
    fillDocument(doc, index, option.rect.width() - 12);
    p->save();
    p->setPen(option.palette.color(QPalette::Mid));
    p->drawLine(option.rect.bottomLeft(), option.rect.bottomRight());
    p->translate(option.rect.topLeft() + QPoint(6, 4));
    QAbstractTextDocumentLayout::PaintContext ctx;
    ctx.palette = option.palette;
    doc.documentLayout()->draw(p, ctx);
    p->restore();
}

QSize PreviewDelegate::sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const {
    QTextDocument doc;
    fillDocument(doc, index, std::max(200, option.rect.width() - 12));
    return QSize(option.rect.width(), static_cast<int>(doc.size().height()) + 10);
}

#include "media_viewer.h"

#include "attachment_chip.h"
#include "background_pool.h"
#include "media_preview.h"

#include <QDesktopServices>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QMediaPlayer>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>
#include <QVideoWidget>
#include <QtConcurrent/QtConcurrentRun>

MediaViewer::MediaViewer(const AttachmentRecord& a, QWidget* parent) : QDialog(parent), m_attachment(a) {
    setObjectName(QStringLiteral("mediaViewer"));
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(QFileInfo(a.path).fileName());
    auto* layout = new QVBoxLayout(this);
    const bool exists = QFileInfo(a.path).isFile();
    if (!exists) {
        auto* gone = new QLabel(tr("The file is no longer there: %1").arg(a.path), this);
        gone->setWordWrap(true);
        layout->addWidget(gone);
    } else if (a.kind == QLatin1String("image")) {
        QImageReader reader(a.path);
        reader.setAutoTransform(true);
        QImage image = reader.read();
        auto* view = new QLabel(this);
        view->setObjectName(QStringLiteral("viewerImage"));
        view->setAlignment(Qt::AlignCenter);
        if (!image.isNull())
            view->setPixmap(
                QPixmap::fromImage(image.width() > 900 || image.height() > 640
                                       ? image.scaled(900, 640, Qt::KeepAspectRatio, Qt::SmoothTransformation)
                                       : image));
        else
            view->setText(tr("This image cannot be shown here."));
        layout->addWidget(view, 1);
    } else if (a.kind == QLatin1String("audio") || a.kind == QLatin1String("video")) {
        m_play = new QToolButton(this);
        m_play->setObjectName(QStringLiteral("viewerPlay"));
        m_player = makeFilePlayer(a.path, m_play, this);
        if (a.kind == QLatin1String("video")) {
            auto* video = new QVideoWidget(this);
            video->setMinimumSize(480, 270);
            m_player->setVideoOutput(video);
            layout->addWidget(video, 1);
        } else {
            m_wave = new WaveformView(this);
            m_wave->setMinimumSize(480, 64);
            layout->addWidget(m_wave, 1);
            auto* watcher = new QFutureWatcher<MediaPreview>(this);
            connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
                m_wave->setEnvelope(watcher->result().envelope);
                watcher->deleteLater();
            });
            watcher->setFuture(QtConcurrent::run(backgroundPool(), makeMediaPreview, a.path, a.kind, 1));
        }
        auto* controls = new QHBoxLayout;
        m_time = new QLabel(this);
        controls->addWidget(m_play);
        controls->addWidget(m_time, 1);
        layout->addLayout(controls);
        connect(m_play, &QToolButton::clicked, this, [this] { togglePlayback(m_player); });
        connect(m_player, &QMediaPlayer::positionChanged, this, [this](qint64 ms) {
            const qint64 total = m_player->duration();
            m_time->setText(
                QStringLiteral("%1 / %2").arg(formatDuration(ms / 1000.0), formatDuration(total / 1000.0)));
            if (m_wave && total > 0) m_wave->setPosition(double(ms) / double(total));
        });
        connect(m_player, &QMediaPlayer::errorOccurred, this,
                [this](QMediaPlayer::Error, const QString& message) {
                    m_time->setText(tr("Cannot play here: %1").arg(message));
                });
    }
    auto* facts = new QLabel(QStringLiteral("%1\nSHA-256 %2").arg(a.path, a.sha256), this);
    facts->setTextInteractionFlags(Qt::TextSelectableByMouse);
    facts->setWordWrap(true);
    layout->addWidget(facts);
    auto* buttons = new QHBoxLayout;
    auto* external = new QPushButton(tr("Open in another application"), this);
    external->setEnabled(exists);
    auto* close = new QPushButton(tr("Close"), this);
    buttons->addWidget(external);
    buttons->addStretch(1);
    buttons->addWidget(close);
    layout->addLayout(buttons);
    connect(external, &QPushButton::clicked, this,
            [path = a.path] { QDesktopServices::openUrl(QUrl::fromLocalFile(path)); });
    connect(close, &QPushButton::clicked, this, &QDialog::close);
}

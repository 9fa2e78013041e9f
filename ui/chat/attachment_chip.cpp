#include "attachment_chip.h"

#include "error_text.h"

#include "common/error.h"

#include <QAudioOutput>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QLocale>
#include <QMediaPlayer>
#include <QPainter>
#include <QPainterPath>
#include <QProgressBar>
#include <QStyle>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

WaveformView::WaveformView(QWidget* parent) : QWidget(parent) {
    setMinimumSize(100, 28);
}

void WaveformView::setEnvelope(const QVector<float>& envelope) {
    m_envelope = envelope;
    update();
}

void WaveformView::setPosition(double fraction) {
    m_position = fraction;
    update();
}

void WaveformView::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QRectF r = QRectF(rect()).adjusted(1, 2, -1, -2);
    const int n = static_cast<int>(m_envelope.size());
    if (n == 0) return;
    const double w = r.width() / n, mid = r.center().y();
    for (int i = 0; i < n; ++i) {
        const double x = r.left() + (i + 0.5) * w;
        const double h = std::max(1.0, double(m_envelope[i]) * r.height() / 2);
        const bool played = m_position >= 0 && (i + 0.5) / n <= m_position;
        p.setPen(QPen(palette().color(played ? QPalette::Highlight : QPalette::Mid), std::max(1.0, w * 0.6)));
        p.drawLine(QPointF(x, mid - h), QPointF(x, mid + h));
    }
}

AttachmentChip::AttachmentChip(const AttachmentRecord& attachment, QWidget* parent)
    : QFrame(parent), m_attachment(attachment) {
    setObjectName(QStringLiteral("attachmentChip"));
    setProperty("kind", attachment.kind);
    setFrameShape(QFrame::StyledPanel);
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(4, 3, 2, 3);
    row->setSpacing(6);
    m_visual = new QLabel(this);
    m_visual->setFixedSize(48, 40);
    m_visual->setAlignment(Qt::AlignCenter);
    m_visual->setPixmap(QIcon(QStringLiteral(":/icons/%1.svg").arg(attachment.kind)).pixmap(24, 24));
    row->addWidget(m_visual);

    auto* col = new QVBoxLayout;
    col->setSpacing(2);
    m_name = new QLabel(fontMetrics().elidedText(QFileInfo(attachment.path).fileName(), Qt::ElideMiddle, 200),
                        this);
    m_name->setToolTip(QStringLiteral("%1\nSHA-256 %2").arg(attachment.path, attachment.sha256));
    col->addWidget(m_name);
    if (attachment.kind == QLatin1String("audio") || attachment.kind == QLatin1String("video")) {
        m_wave = new WaveformView(this);
        m_wave->setObjectName(QStringLiteral("waveform"));
        m_wave->hide();
        col->addWidget(m_wave);
    }
    if (attachment.kind == QLatin1String("video")) {
        m_strip = new QWidget(this);
        m_strip->setObjectName(QStringLiteral("frameStrip"));
        m_stripLayout = new QHBoxLayout(m_strip);
        m_stripLayout->setContentsMargins(0, 0, 0, 0);
        m_stripLayout->setSpacing(2);
        col->addWidget(m_strip);
    }
    auto* factsRow = new QHBoxLayout;
    m_facts = new QLabel(this);
    m_facts->setObjectName(QStringLiteral("attachmentFacts"));
    m_facts->setWordWrap(true);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 100);
    m_progress->setMaximumWidth(90);
    m_progress->setMaximumHeight(10);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_cancel = new QToolButton(this);
    m_cancel->setObjectName(QStringLiteral("cancelEncoding"));
    m_cancel->setText(QStringLiteral("×"));
    m_cancel->setAutoRaise(true);
    m_cancel->hide();
    factsRow->addWidget(m_facts, 1);
    factsRow->addWidget(m_progress);
    factsRow->addWidget(m_cancel);
    col->addLayout(factsRow);
    row->addLayout(col, 1);

    if (m_wave) {
        m_play = new QToolButton(this);
        m_play->setObjectName(QStringLiteral("playAttachment"));
        m_play->setIcon(style()->standardIcon(QStyle::SP_MediaPlay));
        m_play->setAutoRaise(true);
        row->addWidget(m_play, 0, Qt::AlignTop);
        connect(m_play, &QToolButton::clicked, this, [this] {
            if (!m_player) {
                m_player = makeFilePlayer(m_attachment.path, m_play, this);
                connect(m_player, &QMediaPlayer::playbackStateChanged, this,
                        [this](QMediaPlayer::PlaybackState s) {
                            if (s == QMediaPlayer::StoppedState && m_wave) m_wave->setPosition(-1);
                        });
                connect(m_player, &QMediaPlayer::positionChanged, this, [this](qint64 ms) {
                    if (m_wave && m_player->duration() > 0)
                        m_wave->setPosition(double(ms) / double(m_player->duration()));
                });
                connect(m_player, &QMediaPlayer::errorOccurred, this,
                        [this](QMediaPlayer::Error, const QString& message) {
                            m_play->setToolTip(tr("Cannot play: %1").arg(message));
                        });
            }
            togglePlayback(m_player);
        });
    }
    m_remove = new QToolButton(this);
    m_remove->setText(QStringLiteral("×"));
    m_remove->setAutoRaise(true);
    row->addWidget(m_remove, 0, Qt::AlignTop);
    connect(m_remove, &QToolButton::clicked, this, &AttachmentChip::removeRequested);
    connect(m_cancel, &QToolButton::clicked, this, &AttachmentChip::cancelEncodingRequested);
    setStyleSheet(
        QStringLiteral("#attachmentChip { border: 1px solid palette(mid); border-radius: 6px; }"
                       "#attachmentChip[refused=\"true\"] { border: 1px solid rgb(208, 90, 42); }"));
    changeEvent(nullptr);
}

void AttachmentChip::setPreview(const MediaPreview& preview) {
    m_preview = preview;
    if (!preview.thumbnail.isNull())
        m_visual->setPixmap(QPixmap::fromImage(
            preview.thumbnail.scaled(48, 40, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
    if (m_wave && !preview.envelope.isEmpty()) {
        m_wave->setEnvelope(preview.envelope);
        m_wave->show();
    }
    if (m_stripLayout) {
        while (QLayoutItem* item = m_stripLayout->takeAt(0)) {
            delete item->widget();
            delete item;
        }
        for (const auto& f : preview.frames) {
            auto* cell = new QWidget(m_strip);
            auto* v = new QVBoxLayout(cell);
            v->setContentsMargins(0, 0, 0, 0);
            v->setSpacing(0);
            auto* image = new QLabel(cell);
            image->setObjectName(QStringLiteral("sampledFrame"));
            image->setPixmap(
                QPixmap::fromImage(f.image.scaled(36, 27, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
            auto* time = new QLabel(formatDuration(f.time, true), cell);
            QFont small = time->font();
            small.setPointSizeF(small.pointSizeF() * 0.75);
            time->setFont(small);
            time->setAlignment(Qt::AlignHCenter);
            v->addWidget(image, 0, Qt::AlignHCenter);
            v->addWidget(time);
            cell->setToolTip(tr("Frame the model sees at %1").arg(formatDuration(f.time, true)));
            m_stripLayout->addWidget(cell);
        }
        m_stripLayout->addStretch(1);
    }
    updateFacts();
}

int AttachmentChip::frameCount() const {
    return static_cast<int>(m_preview.frames.size());
}

void AttachmentChip::setCost(const AttachmentCost& cost) {
    m_cost = cost;
    m_hasCost = true;
    m_encoding = -1;
    m_refused = !cost.readable;
    setProperty("refused", m_refused);
    style()->unpolish(this);
    style()->polish(this);
    updateFacts();
}

void AttachmentChip::clearCost() {
    m_cost = AttachmentCost();
    m_hasCost = m_refused = false;
    m_encoding = -1;
    setProperty("refused", false);
    style()->unpolish(this);
    style()->polish(this);
    updateFacts();
}

void AttachmentChip::setEncoding(double fraction) {
    m_encoding = fraction;
    updateFacts();
}

void AttachmentChip::setTextOnlyModel(bool textOnly) {
    m_textOnly = textOnly;
    if (textOnly) {
        AttachmentCost none;
        none.path = m_attachment.path;
        none.error.code = static_cast<int>(atelier::ErrorCode::MissingModality);
        setCost(none);
    }
}

QString AttachmentChip::factsText() const {
    return m_facts->text();
}

void AttachmentChip::updateFacts() {
    QStringList facts;
    if (!m_preview.error.isEmpty()) {
        m_facts->setText(tr("Cannot be read: %1").arg(m_preview.error));
        m_facts->setStyleSheet(QStringLiteral("color: rgb(208, 90, 42);"));
        return;
    }
    if (m_preview.duration > 0) facts << formatDuration(m_preview.duration);
    if (m_attachment.kind == QLatin1String("video") && !m_preview.frames.isEmpty())
        facts << tr("%n frame(s)", nullptr, int(m_preview.frames.size()))
              << (m_preview.hasAudio ? tr("with sound") : tr("no sound"));
    if (m_attachment.kind == QLatin1String("file")) facts << QLocale().formattedDataSize(m_attachment.size);
    const bool encoding = m_encoding >= 0 && m_encoding < 1;
    m_progress->setVisible(encoding);
    m_cancel->setVisible(encoding);
    if (encoding) {
        m_progress->setValue(static_cast<int>(m_encoding * 100));
        m_cancel->setToolTip(tr("Stop encoding (the file stays attached)"));
        facts << tr("encoding…");
    }
    QString warning;
    if (m_hasCost && m_refused) {
        const QString kind = m_attachment.kind;
        warning = m_attachment.kind == QLatin1String("file") ? tr("Not sent: the model reads media only")
                  : kind == QLatin1String("image")           ? tr("Not sent: this model cannot see images")
                  : kind == QLatin1String("audio")           ? tr("Not sent: this model cannot hear audio")
                                                             : tr("Not sent: this model cannot watch video");
    } else if (m_hasCost && m_cost.error.code != -1) {
        warning = errorText(m_cost.error).section(QLatin1Char('\n'), 0, 0);
    } else if (m_hasCost) {
        facts << tr("%n token(s)", nullptr, int(m_cost.tokens));
    }
    QString text = facts.join(QStringLiteral(" · "));
    if (!warning.isEmpty()) text = text.isEmpty() ? warning : text + QStringLiteral(" · ") + warning;
    m_facts->setText(text);
    m_facts->setStyleSheet(warning.isEmpty() ? QString() : QStringLiteral("color: rgb(208, 90, 42);"));
    setToolTip(warning.isEmpty()
                   ? QString()
                   : warning + QLatin1Char('\n') +
                         tr("Choose a model that reads this kind of media (a LLaVA folder or an "
                            "Atelier bundle) to send it."));
}

QMediaPlayer* makeFilePlayer(const QString& path, QToolButton* button, QObject* owner) {
    auto* player = new QMediaPlayer(owner);
    player->setAudioOutput(new QAudioOutput(player));
    player->setSource(QUrl::fromLocalFile(path));
    button->setIcon(button->style()->standardIcon(QStyle::SP_MediaPlay));
    QObject::connect(player, &QMediaPlayer::playbackStateChanged, button,
                     [button](QMediaPlayer::PlaybackState s) {
                         button->setIcon(button->style()->standardIcon(
                             s == QMediaPlayer::PlayingState ? QStyle::SP_MediaPause : QStyle::SP_MediaPlay));
                     });
    return player;
}

void togglePlayback(QMediaPlayer* player) {
    if (player->playbackState() == QMediaPlayer::PlayingState)
        player->pause();
    else
        player->play();
}

void AttachmentChip::changeEvent(QEvent* e) {
    if (!e || e->type() == QEvent::LanguageChange) {
        m_remove->setToolTip(tr("Remove attachment"));
        if (m_play) m_play->setToolTip(tr("Play"));
        updateFacts();
    }
    if (e) QFrame::changeEvent(e);
}

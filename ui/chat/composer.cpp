#include "composer.h"

#include "attachment_chip.h"
#include "attachments.h"
#include "background_pool.h"
#include "error_text.h"
#include "voice_recorder.h"

#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QIcon>
#include <QImageReader>
#include <QKeyEvent>
#include <QLabel>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

ComposerEdit::ComposerEdit(QWidget* parent) : QPlainTextEdit(parent) {
    setTabChangesFocus(true);
    setObjectName(QStringLiteral("composerEdit"));
}

QSize ComposerEdit::sizeHint() const {
    const int lines = std::clamp(static_cast<int>(document()->lineCount()), 3, 10);
    return QSize(QPlainTextEdit::sizeHint().width(), fontMetrics().lineSpacing() * lines + 16);
}

void ComposerEdit::keyPressEvent(QKeyEvent* e) {
    // Push to talk: hold Ctrl+Space.
    if (e->key() == Qt::Key_Space && (e->modifiers() & Qt::ControlModifier)) {
        if (!e->isAutoRepeat() && !m_talking) {
            m_talking = true;
            Q_EMIT pushToTalkPressed();
        }
        return;
    }
    const bool enter = e->key() == Qt::Key_Return || e->key() == Qt::Key_Enter;
    if (enter && !(e->modifiers() & Qt::ShiftModifier)) {
        Q_EMIT submitted();
        return;
    }
    QPlainTextEdit::keyPressEvent(e);
    updateGeometry();
}

void ComposerEdit::keyReleaseEvent(QKeyEvent* e) {
    if (m_talking && e->key() == Qt::Key_Space && !e->isAutoRepeat()) {
        m_talking = false;
        Q_EMIT pushToTalkReleased();
        return;
    }
    QPlainTextEdit::keyReleaseEvent(e);
}

bool ComposerEdit::canInsertFromMimeData(const QMimeData* source) const {
    return source->hasUrls() || source->hasImage() || QPlainTextEdit::canInsertFromMimeData(source);
}

void ComposerEdit::insertFromMimeData(const QMimeData* source) {
    if (source->hasUrls()) {
        QStringList paths;
        for (const QUrl& url : source->urls())
            if (url.isLocalFile()) paths << url.toLocalFile();
        if (!paths.isEmpty()) {
            Q_EMIT filesDropped(paths);
            return;
        }
    }
    if (source->hasImage()) {
        Q_EMIT imagePasted(qvariant_cast<QImage>(source->imageData()));
        return;
    }
    QPlainTextEdit::insertFromMimeData(source);
}

Composer::Composer(const QString& dataDir, QWidget* parent) : QWidget(parent), m_dataDir(dataDir) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    m_chips = new QWidget(this);
    m_chipsLayout = new QHBoxLayout(m_chips);
    m_chipsLayout->setContentsMargins(0, 0, 0, 0);
    m_chipsLayout->setSpacing(6);
    m_chipsLayout->addStretch(1);
    m_chips->hide();
    m_textOnlyNote = new QLabel(this);
    m_textOnlyNote->setObjectName(QStringLiteral("textOnlyNote"));
    m_textOnlyNote->setWordWrap(true);
    m_textOnlyNote->hide();

    // The recording bar: level, time left, keep or throw away.
    m_recordBar = new QWidget(this);
    m_recordBar->setObjectName(QStringLiteral("recordBar"));
    auto* bar = new QHBoxLayout(m_recordBar);
    bar->setContentsMargins(0, 0, 0, 0);
    m_recordLabel = new QLabel(m_recordBar);
    m_level = new QProgressBar(m_recordBar);
    m_level->setObjectName(QStringLiteral("recordLevel"));
    m_level->setRange(0, 100);
    m_level->setTextVisible(false);
    m_level->setMaximumHeight(10);
    m_recordTime = new QLabel(m_recordBar);
    m_recordTime->setObjectName(QStringLiteral("recordTime"));
    m_recordStop = new QPushButton(m_recordBar);
    m_recordStop->setObjectName(QStringLiteral("recordStop"));
    m_recordCancel = new QPushButton(m_recordBar);
    m_recordCancel->setObjectName(QStringLiteral("recordCancel"));
    bar->addWidget(m_recordLabel);
    bar->addWidget(m_level, 1);
    bar->addWidget(m_recordTime);
    bar->addWidget(m_recordStop);
    bar->addWidget(m_recordCancel);
    m_recordBar->hide();

    m_edit = new ComposerEdit(this);
    layout->addWidget(m_chips);
    layout->addWidget(m_textOnlyNote);
    layout->addWidget(m_recordBar);
    layout->addWidget(m_edit);

    m_recorder = new VoiceRecorder(QDir(dataDir).filePath(QStringLiteral("recordings")), this);
    connect(m_recorder, &VoiceRecorder::started, this, [this] {
        m_level->setValue(0);
        m_recordTime->clear();
        m_recordBar->show();
        Q_EMIT recordingChanged(true);
    });
    connect(m_recorder, &VoiceRecorder::progress, this, [this](double seconds, double max, float level) {
        // A peak meter on a dB scale: -60 dB (silence) .. 0 dB (full scale).
        const double db = level > 0 ? 20 * std::log10(double(level)) : -60;
        m_level->setValue(static_cast<int>(std::clamp((db + 60) / 60 * 100, 0.0, 100.0)));
        m_recordTime->setText(
            tr("%1 · %2 left").arg(formatDuration(seconds), formatDuration(std::max(0.0, max - seconds))));
    });
    auto ended = [this] {
        m_recordBar->hide();
        Q_EMIT recordingChanged(false);
    };
    connect(m_recorder, &VoiceRecorder::finished, this, [this, ended](const QString& path) {
        ended();
        if (!path.isEmpty()) addFiles({path});
    });
    connect(m_recorder, &VoiceRecorder::cancelled, this, ended);
    connect(m_recorder, &VoiceRecorder::failed, this, [this, ended](const EngineError& e) {
        ended();
        Q_EMIT recordingFailed(e);
    });
    connect(m_recordStop, &QPushButton::clicked, m_recorder, &VoiceRecorder::stop);
    connect(m_recordCancel, &QPushButton::clicked, m_recorder, &VoiceRecorder::cancel);
    connect(m_edit, &ComposerEdit::pushToTalkPressed, m_recorder, &VoiceRecorder::start);
    connect(m_edit, &ComposerEdit::pushToTalkReleased, m_recorder, &VoiceRecorder::stop);

    connect(m_edit, &ComposerEdit::submitted, this, &Composer::submitted);
    connect(m_edit, &ComposerEdit::filesDropped, this, &Composer::addFiles);
    connect(m_edit, &ComposerEdit::imagePasted, this, [this](const QImage& image) {
        const AttachmentRecord a =
            saveImageAttachment(image, QDir(m_dataDir).filePath(QStringLiteral("attachments")));
        if (a.path.isEmpty()) {
            Q_EMIT pasteFailed();
            return;
        }
        add(a);
        Q_EMIT attachmentsChanged();
    });
    retranslate();
}

Composer::~Composer() = default;

QString Composer::text() const {
    return m_edit->toPlainText();
}

void Composer::setText(const QString& text) {
    m_edit->setPlainText(text);
    m_edit->moveCursor(QTextCursor::End);
}

void Composer::toggleRecording() {
    if (m_recorder->isRecording())
        m_recorder->stop();
    else
        m_recorder->start();
}

void Composer::setAttachments(const QVector<AttachmentRecord>& attachments) {
    while (!m_attachments.isEmpty()) removeAt(0);
    for (const auto& a : attachments) add(a);
    Q_EMIT attachmentsChanged();
}

void Composer::clear() {
    m_edit->clear();
    while (!m_attachments.isEmpty()) removeAt(0);
    Q_EMIT attachmentsChanged();
}

void Composer::addFiles(const QStringList& paths) {
    // Small files are hashed here (a few ms); large ones (a long video) on a worker thread, so the
    // window never waits for a hash: their chip appears when it is done.
    constexpr qint64 kHashHereBytes = 8 << 20;
    bool added = false;
    auto accept = [this](const QString& path, const AttachmentRecord& a) {
        if (a.path.isEmpty()) {
            Q_EMIT attachmentRejected(path);
            return false;
        }
        for (const auto& existing : m_attachments)
            if (existing.sha256 == a.sha256) return false;
        add(a);
        return true;
    };
    for (const QString& path : paths) {
        if (QFileInfo(path).size() <= kHashHereBytes) {
            added |= accept(path, describeAttachment(path));
            continue;
        }
        ++m_describing;
        auto* watcher = new QFutureWatcher<AttachmentRecord>(this);
        connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, path, accept] {
            --m_describing;
            const AttachmentRecord a = watcher->result();
            watcher->deleteLater();
            if (accept(path, a)) Q_EMIT attachmentsChanged();
        });
        watcher->setFuture(QtConcurrent::run(backgroundPool(), describeAttachment, path));
    }
    if (added) Q_EMIT attachmentsChanged();
}

void Composer::add(const AttachmentRecord& a) {
    m_attachments.push_back(a);
    auto* chip = new AttachmentChip(a, m_chips);
    m_chipByPath.insert(a.path, chip);
    m_chipsLayout->insertWidget(m_chipsLayout->count() - 1, chip);  // before the stretch
    if (!m_model.path.isEmpty() && !m_model.reads(a.kind)) chip->setTextOnlyModel(true);
    connect(chip, &AttachmentChip::removeRequested, this, [this, path = a.path] {
        for (int i = 0; i < m_attachments.size(); ++i)
            if (m_attachments[i].path == path) {
                removeAt(i);
                Q_EMIT attachmentsChanged();
                return;
            }
    });
    connect(chip, &AttachmentChip::cancelEncodingRequested, this,
            [this, path = a.path] { Q_EMIT cancelEncodingRequested(path); });
    startPreview(a);
    updateNotes();
    Q_EMIT attachmentAdded(a);
}

void Composer::removeAt(int index) {
    const AttachmentRecord a = m_attachments.takeAt(index);
    delete m_chipByPath.take(a.path);
    Q_EMIT cancelEncodingRequested(a.path);
    updateNotes();
}

void Composer::startPreview(const AttachmentRecord& a) {
    const auto cached = m_previews.constFind(a.sha256);
    if (cached != m_previews.constEnd() &&
        (a.kind != QLatin1String("video") || cached->frames.size() == m_model.videoFrames)) {
        m_chipByPath.value(a.path)->setPreview(*cached);
        return;
    }
    ++m_previewsPending;
    auto* watcher = new QFutureWatcher<MediaPreview>(this);
    connect(watcher, &QFutureWatcher<MediaPreview>::finished, this, [this, watcher, sha = a.sha256] {
        --m_previewsPending;
        const MediaPreview p = watcher->result();
        watcher->deleteLater();
        m_previews.insert(sha, p);
        if (AttachmentChip* chip = m_chipByPath.value(p.path)) chip->setPreview(p);
        Q_EMIT previewReady(p.path);
    });
    watcher->setFuture(
        QtConcurrent::run(backgroundPool(), makeMediaPreview, a.path, a.kind, m_model.videoFrames));
}

void Composer::setModel(const LoadedModel& model) {
    const bool framesChanged = model.videoFrames != m_model.videoFrames;
    m_model = model;
    for (const auto& a : m_attachments) {
        AttachmentChip* chip = m_chipByPath.value(a.path);
        if (model.path.isEmpty())
            chip->clearCost();
        else if (!model.reads(a.kind))
            chip->setTextOnlyModel(true);
        if (framesChanged && a.kind == QLatin1String("video")) startPreview(a);
    }
    updateNotes();
}

void Composer::setCost(const AttachmentCost& cost) {
    if (AttachmentChip* chip = m_chipByPath.value(cost.path)) chip->setCost(cost);
    updateNotes();
}

void Composer::setEncoding(const QString& path, double fraction) {
    if (AttachmentChip* chip = m_chipByPath.value(path)) chip->setEncoding(fraction);
}

QVector<AttachmentRecord> Composer::refusedAttachments() const {
    QVector<AttachmentRecord> out;
    for (const auto& a : m_attachments) {
        const AttachmentChip* chip = m_chipByPath.value(a.path);
        if ((chip && chip->refused()) || textOnly() || a.kind == QLatin1String("file")) out.push_back(a);
    }
    return out;
}

AttachmentChip* Composer::chip(const QString& path) const {
    return m_chipByPath.value(path);
}

void Composer::updateNotes() {
    m_chips->setVisible(!m_attachments.isEmpty());
    m_textOnlyNote->setVisible(!m_attachments.isEmpty() && textOnly());
}

void Composer::retranslate() {
    m_edit->setPlaceholderText(
        tr("Message (Enter to send, Shift+Enter for a new line, hold Ctrl+Space to talk)"));
    m_textOnlyNote->setText(
        tr("This model reads text only: attachments are kept with the message, but the model does not see "
           "them."));
    m_recordLabel->setText(QStringLiteral("<span style='color: rgb(208, 40, 40)'>●</span> ") +
                           tr("Recording"));
    m_recordStop->setText(tr("Attach"));
    m_recordStop->setToolTip(tr("Stop recording and attach it"));
    m_recordCancel->setText(tr("Cancel"));
    m_recordCancel->setToolTip(tr("Stop recording and throw it away"));
    m_level->setToolTip(tr("Input level"));
}

void Composer::changeEvent(QEvent* e) {
    if (e->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(e);
}

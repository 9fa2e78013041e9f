// A message's attachment opened from the conversation: an image at a readable size, an audio
// file with its waveform and a player, a video in a player with its sound; the file's path and
// SHA-256 below, and a button to open it in the system's own application. A modeless window.
#pragma once

#include "chat_store.h"

#include <QDialog>

class QLabel;
class QMediaPlayer;
class QToolButton;
class WaveformView;

class MediaViewer : public QDialog {
    Q_OBJECT
public:
    explicit MediaViewer(const AttachmentRecord& attachment, QWidget* parent = nullptr);
    QMediaPlayer* player() const { return m_player; }  // null for an image

private:
    AttachmentRecord m_attachment;
    QMediaPlayer* m_player = nullptr;
    QToolButton* m_play = nullptr;
    QLabel* m_time = nullptr;
    WaveformView* m_wave = nullptr;
};

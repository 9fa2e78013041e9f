// The Settings page: theme, language, engine threads, default dtype and device, the microphone,
// data folder. Every change applies at once (the data folder at the next start) and is saved. The
// microphone list is scanned again (off the GUI thread) each time the page is shown.
#pragma once

#include "app_settings.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

class SettingsPage : public QWidget {
    Q_OBJECT
public:
    explicit SettingsPage(AppSettings& settings, QWidget* parent = nullptr);

    QComboBox* themeBox() const { return m_theme; }
    QComboBox* languageBox() const { return m_language; }
    QSpinBox* threadsBox() const { return m_threads; }
    QComboBox* dtypeBox() const { return m_dtype; }
    QComboBox* deviceBox() const { return m_device; }
    QComboBox* microphoneBox() const { return m_microphone; }
    void refreshMicrophones();

Q_SIGNALS:
    void engineSettingsChanged(const EngineSettings& settings);
    void audioInputChanged(const QString& name);
    void microphonesListed();

protected:
    void changeEvent(QEvent* e) override;
    void showEvent(QShowEvent* e) override;

private:
    void retranslate();
    void saveEngine();

    AppSettings& m_settings;
    QLabel* m_heading;
    QVector<QLabel*> m_labels;
    QComboBox* m_theme;
    QComboBox* m_language;
    QSpinBox* m_threads;
    QComboBox* m_dtype;
    QComboBox* m_device;
    QComboBox* m_microphone;
    bool m_listing = false;
    QLineEdit* m_dataDir;
    QPushButton* m_browse;
    QLabel* m_dataNote;
};

// The studio's preferences: theme, language, engine threads/dtype/device, data folder, and window
// state. Stored with QSettings in the platform's config folder, or in <data-dir>/settings.ini when
// the app is started with --data-dir (tests and portable installs keep everything in one folder).
//
//   AppSettings settings(cliDataDir);
//   applyTheme(settings.theme());
//   installTranslations(settings.language());
#pragma once

#include "engine_types.h"

#include <QByteArray>
#include <QString>

#include <memory>

class QSettings;

class AppSettings {
public:
    explicit AppSettings(const QString& dataDirOverride = QString());
    ~AppSettings();

    // The folder holding atelier.db: --data-dir, else the saved choice, else the platform's
    // application data folder. Created when missing.
    QString dataDir() const;
    QString savedDataDir() const;              // the choice for the next start ("" = default)
    void setSavedDataDir(const QString& dir);  // takes effect at the next start
    bool dataDirOverridden() const { return !m_override.isEmpty(); }
    static QString defaultDataDir();

    QString theme() const;  // "system" | "light" | "dark"
    void setTheme(const QString& theme);
    QString language() const;  // "" = the system's, else a code of availableLanguages()
    void setLanguage(const QString& language);

    // The microphone by name ("" = the system's default input).
    QString audioInput() const;
    void setAudioInput(const QString& name);

    EngineSettings engine() const;
    void setEngine(const EngineSettings& engine);

    QByteArray value(const QString& key) const;  // window geometry, splitter states
    void setValue(const QString& key, const QByteArray& value);

private:
    std::unique_ptr<QSettings> m_settings;
    QString m_override;
};

// Fusion with a light or dark palette; "system" keeps the platform's style and palette.
void applyTheme(const QString& theme);
// Installs Atelier's and Qt's own translations for `language` ("" = the system locale), replacing
// earlier ones; widgets then receive QEvent::LanguageChange. Returns the language in effect.
QString installTranslations(const QString& language);
// The languages the studio ships, as (code, native name).
QVector<QPair<QString, QString>> availableLanguages();

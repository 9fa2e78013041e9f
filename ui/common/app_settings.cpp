#include "app_settings.h"

#include <QApplication>
#include <QDir>
#include <QLibraryInfo>
#include <QLocale>
#include <QPalette>
#include <QSettings>
#include <QStandardPaths>
#include <QStyle>
#include <QStyleFactory>
#include <QTranslator>

AppSettings::AppSettings(const QString& dataDirOverride) : m_override(dataDirOverride) {
    if (!m_override.isEmpty()) {
        QDir().mkpath(m_override);
        m_settings =
            std::make_unique<QSettings>(QDir(m_override).filePath("settings.ini"), QSettings::IniFormat);
    } else {
        m_settings = std::make_unique<QSettings>();
    }
}

AppSettings::~AppSettings() = default;

QString AppSettings::defaultDataDir() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString AppSettings::dataDir() const {
    QString dir = m_override;
    if (dir.isEmpty()) dir = savedDataDir();
    if (dir.isEmpty()) dir = defaultDataDir();
    QDir().mkpath(dir);
    return QDir(dir).absolutePath();
}

QString AppSettings::savedDataDir() const {
    return m_settings->value("dataDir").toString();
}
void AppSettings::setSavedDataDir(const QString& dir) {
    m_settings->setValue("dataDir", dir);
}

QString AppSettings::theme() const {
    return m_settings->value("theme", "system").toString();
}
void AppSettings::setTheme(const QString& theme) {
    m_settings->setValue("theme", theme);
}
QString AppSettings::language() const {
    return m_settings->value("language").toString();
}
void AppSettings::setLanguage(const QString& language) {
    m_settings->setValue("language", language);
}

QString AppSettings::audioInput() const {
    return m_settings->value("audio/input").toString();
}
void AppSettings::setAudioInput(const QString& name) {
    m_settings->setValue("audio/input", name);
}

EngineSettings AppSettings::engine() const {
    EngineSettings e;
    e.dtype = m_settings->value("engine/dtype", e.dtype).toString();
    e.device = m_settings->value("engine/device", e.device).toString();
    e.threads = m_settings->value("engine/threads", e.threads).toInt();
    return e;
}

void AppSettings::setEngine(const EngineSettings& e) {
    m_settings->setValue("engine/dtype", e.dtype);
    m_settings->setValue("engine/device", e.device);
    m_settings->setValue("engine/threads", e.threads);
}

QByteArray AppSettings::value(const QString& key) const {
    return m_settings->value(key).toByteArray();
}
void AppSettings::setValue(const QString& key, const QByteArray& value) {
    m_settings->setValue(key, value);
}

void applyTheme(const QString& theme) {
    static const QString platformStyle = QApplication::style()->name();
    static const QPalette platformPalette = QApplication::palette();
    if (theme == QLatin1String("light") || theme == QLatin1String("dark")) {
        QApplication::setStyle(QStyleFactory::create("Fusion"));
        QPalette p = QApplication::style()->standardPalette();
        if (theme == QLatin1String("dark")) {
            const QColor window(0x2b, 0x2d, 0x31), base(0x1e, 0x1f, 0x22), text(0xe6, 0xe6, 0xe6);
            const QColor accent(0x4c, 0x8d, 0xf6), disabled(0x80, 0x80, 0x80);
            p.setColor(QPalette::Window, window);
            p.setColor(QPalette::WindowText, text);
            p.setColor(QPalette::Base, base);
            p.setColor(QPalette::AlternateBase, window);
            p.setColor(QPalette::ToolTipBase, base);
            p.setColor(QPalette::ToolTipText, text);
            p.setColor(QPalette::PlaceholderText, disabled);
            p.setColor(QPalette::Text, text);
            p.setColor(QPalette::Button, window);
            p.setColor(QPalette::ButtonText, text);
            p.setColor(QPalette::BrightText, Qt::white);
            p.setColor(QPalette::Highlight, accent);
            p.setColor(QPalette::HighlightedText, Qt::white);
            p.setColor(QPalette::Link, accent.lighter(130));
            p.setColor(QPalette::Mid, QColor(0x45, 0x47, 0x4c));
            p.setColor(QPalette::Midlight, QColor(0x3a, 0x3c, 0x40));
            p.setColor(QPalette::Dark, QColor(0x18, 0x19, 0x1b));
            for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
                p.setColor(QPalette::Disabled, role, disabled);
        }
        QApplication::setPalette(p);
    } else {
        QApplication::setStyle(QStyleFactory::create(platformStyle));
        QApplication::setPalette(platformPalette);
    }
}

QVector<QPair<QString, QString>> availableLanguages() {
    // Each by its own name, so a user who cannot read the current language still finds theirs.
    return {{QStringLiteral("en"), QStringLiteral("English")},
            {QStringLiteral("de"), QStringLiteral("Deutsch")},
            {QStringLiteral("es"), QStringLiteral("Español")},
            {QStringLiteral("fr"), QStringLiteral("Français")},
            {QStringLiteral("ja"), QStringLiteral("日本語")},
            {QStringLiteral("zh_CN"), QStringLiteral("简体中文")}};
}

QString installTranslations(const QString& language) {
    static QTranslator* app = nullptr;
    static QTranslator* qt = nullptr;
    for (QTranslator** t : {&app, &qt}) {
        if (*t) {
            QCoreApplication::removeTranslator(*t);
            delete *t;
            *t = nullptr;
        }
    }
    QString lang = language;
    if (lang.isEmpty()) {
        lang = QStringLiteral("en");
        for (const auto& [code, name] : availableLanguages())
            if (QLocale::system().name().startsWith(code)) lang = code;
    }
    // English loads its plural forms ("%n token(s)" -> "1 token", "2 tokens") like any language.
    app = new QTranslator;
    if (app->load(QStringLiteral(":/i18n/atelier_%1.qm").arg(lang))) QCoreApplication::installTranslator(app);
    if (lang != QLatin1String("en")) {
        qt = new QTranslator;
        if (qt->load(QLocale(lang), QStringLiteral("qtbase"), QStringLiteral("_"),
                     QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            QCoreApplication::installTranslator(qt);
    }
    QLocale::setDefault(QLocale(lang));
    return lang;
}

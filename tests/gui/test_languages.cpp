// The studio's languages (issue 13): every .ts file complete and current with the sources, plural
// forms the Qt way, the picker listing each language by its own name, and a pseudo-locale that
// drives the main pages and fails on any visible text that escapes translation or is clipped.
#include "studio_fixture.h"

#include <QAbstractButton>
#include <QCheckBox>
#include <QGroupBox>
#include <QHeaderView>
#include <QMenuBar>
#include <QProcess>
#include <QRegularExpression>
#include <QScrollArea>
#include <QStatusBar>
#include <QTabBar>
#include <QTextDocumentFragment>
#include <QTranslator>
#include <QXmlStreamReader>

using namespace studio_test;

namespace {

// What a .ts file holds, message by message.
struct TsMessage {
    QString context, source;
    QStringList translations;  // one per plural form, or one
    bool numerus = false;
    QString type;  // "" | unfinished | vanished | obsolete
};

QVector<TsMessage> readTs(const QString& path, QString* language) {
    QVector<TsMessage> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return out;
    QXmlStreamReader xml(&f);
    QString context;
    TsMessage m;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) continue;
        const auto name = xml.name();
        if (name == QLatin1String("TS")) {
            *language = xml.attributes().value(QLatin1String("language")).toString();
        } else if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            m = TsMessage{};
            m.context = context;
            m.numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
        } else if (name == QLatin1String("source")) {
            m.source = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            m.type = xml.attributes().value(QLatin1String("type")).toString();
            if (m.numerus) {
                while (xml.readNextStartElement())
                    if (xml.name() == QLatin1String("numerusform"))
                        m.translations << xml.readElementText();
                    else
                        xml.skipCurrentElement();
            } else {
                m.translations << xml.readElementText();
            }
            out << m;
        }
    }
    if (xml.hasError()) qWarning() << path << xml.errorString();
    return out;
}

// %1 … %9, %L1 and %n as a sorted list (order may change between languages).
QStringList placeholders(const QString& s) {
    static const QRegularExpression re(QStringLiteral("%L?[0-9n]"));
    QStringList out;
    for (auto it = re.globalMatch(s); it.hasNext();) out << it.next().captured();
    out.removeDuplicates();
    out.sort();
    return out;
}

QStringList tags(const QString& s) {
    static const QRegularExpression re(QStringLiteral("</?[a-zA-Z0-9]+"));
    QStringList out;
    for (auto it = re.globalMatch(s); it.hasNext();) out << it.next().captured();
    out.sort();
    return out;
}

int accelerators(QString s) {
    s.remove(QStringLiteral("&&"));
    static const QRegularExpression re(QStringLiteral("&[^\\s&]"));
    return int(s.count(re));
}

// Plural forms Qt expects for a language (QTranslator's rules, as lupdate writes them).
int pluralForms(const QString& language) {
    return language.startsWith(QLatin1String("ja")) || language.startsWith(QLatin1String("zh")) ? 1 : 2;
}

// Every tr() string wrapped in ⟦ ⟧, its letters accented and the text made ~40% longer: what
// German or French does to a layout, and a marker that shows which text went through tr().
class PseudoTranslator : public QTranslator {
public:
    static QString pseudo(const QString& source) {
        static const QString plain = QStringLiteral("aeiouAEIOUcnyCN");
        static const QString accented = QStringLiteral("áéíóúÁÉÍÓÚçñýÇÑ");
        QString out;
        bool inTag = false;
        int letters = 0;
        for (int i = 0; i < source.size(); ++i) {
            const QChar c = source[i];
            if (c == QLatin1Char('<')) inTag = true;
            if (!inTag && c == QLatin1Char('%') && i + 1 < source.size()) {  // %1, %n, %L1 stay
                out += c;
                out += source[++i];
                if (source[i] == QLatin1Char('L') && i + 1 < source.size()) out += source[++i];
                continue;
            }
            if (!inTag && c == QLatin1Char('&') && i + 1 < source.size() &&
                source[i + 1] != QLatin1Char(' ')) {
                out += c;  // an accelerator or an entity stays as it is
                continue;
            }
            const int k = inTag ? -1 : int(plain.indexOf(c));
            out += k >= 0 ? accented[k] : c;
            if (!inTag && c.isLetter()) ++letters;
            if (c == QLatin1Char('>')) inTag = false;
        }
        const QString pad(qMax(1, letters * 2 / 5), QChar(0x00B7));  // ·
        if (source.contains(QLatin1Char('<'))) return out + pad;     // rich text: no markers inside tags
        return QStringLiteral("⟦") + out + pad + QStringLiteral("⟧");
    }
    QString translate(const char* context, const char* sourceText, const char* disambiguation,
                      int n) const override {
        Q_UNUSED(context);
        Q_UNUSED(disambiguation);
        Q_UNUSED(n);
        if (!sourceText || !*sourceText) return {};
        return pseudo(QString::fromUtf8(sourceText));
    }
    bool isEmpty() const override { return false; }
};

bool hasWords(const QString& text) {
    static const QRegularExpression word(QStringLiteral("[A-Za-z]{3,}"));
    return text.contains(word);
}

// Text that is data, not interface: names and values the user or the model supplied.
bool isData(const QString& text, const QStringList& data) {
    for (const QString& d : data)
        if (text.contains(d)) return true;
    return false;
}

}  // namespace

class LanguagesTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QApplication::setApplicationName(QStringLiteral("Atelier-tests")); }

    void translationsAreCompleteAndCurrent_data() {
        QTest::addColumn<QString>("code");
        for (const QString& code : {QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("es"),
                                    QStringLiteral("fr"), QStringLiteral("ja"), QStringLiteral("zh_CN")})
            QTest::newRow(qPrintable(code)) << code;
    }
    // Each .ts is first refreshed from the sources (a copy, as `update_translations` would): a new
    // tr() string shows up as unfinished, a removed one as vanished; both fail here.
    void translationsAreCompleteAndCurrent() {
        QFETCH(QString, code);
        QTemporaryDir dir;
        const QString name = QStringLiteral("atelier_%1.ts").arg(code);
        const QString copy = dir.filePath(name);
        QVERIFY(QFile::copy(QStringLiteral(ATELIER_SOURCE_DIR "/translations/") + name, copy));
        QStringList args{QStringLiteral("-locations"), QStringLiteral("none"),
                         QStringLiteral("@" ATELIER_TR_SOURCES), QStringLiteral("-ts"), copy};
        if (code == QLatin1String("en")) args.prepend(QStringLiteral("-pluralonly"));
        QProcess lupdate;
        lupdate.start(QStringLiteral(ATELIER_LUPDATE), args);
        QVERIFY(lupdate.waitForFinished(120000));
        QVERIFY2(lupdate.exitCode() == 0, lupdate.readAllStandardError().constData());

        QString language;
        const QVector<TsMessage> messages = readTs(copy, &language);
        QVERIFY(!language.isEmpty());
        QVERIFY(messages.size() > (code == QLatin1String("en") ? 5 : 400));
        QStringList problems;
        for (const TsMessage& m : messages) {
            const QString where = m.context + QStringLiteral(": ") + m.source.left(60);
            if (!m.type.isEmpty()) {
                problems << m.type + QStringLiteral(" ") + where;
                continue;
            }
            if (m.numerus && m.translations.size() != pluralForms(language))
                problems << QStringLiteral("plural forms ") + where;
            for (const QString& t : m.translations) {
                QStringList want = placeholders(m.source), got = placeholders(t);
                if (m.numerus) {  // a singular form may say "the oldest message" without %n
                    want.removeAll(QStringLiteral("%n"));
                    got.removeAll(QStringLiteral("%n"));
                }
                if (t.trimmed().isEmpty())
                    problems << QStringLiteral("empty ") + where;
                else if (want != got)
                    problems << QStringLiteral("placeholders ") + where + QStringLiteral(" -> ") + t;
                else if (tags(m.source) != tags(t))
                    problems << QStringLiteral("HTML ") + where;
                else if (accelerators(m.source) != accelerators(t))
                    problems << QStringLiteral("accelerator ") + where + QStringLiteral(" -> ") + t;
            }
        }
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // Counts go through Qt's plural rules, in English too ("1 token", "2 tokens").
    void pluralFormsFollowTheLanguage() {
        QTemporaryDir dir;
        Studio s(dir.path());
        auto say = [](int n) {
            return QCoreApplication::translate("MessageDelegate", "%n token(s)", nullptr, n);
        };
        installTranslations(QStringLiteral("en"));
        QCOMPARE(say(1), QStringLiteral("1 token"));
        QCOMPARE(say(2), QStringLiteral("2 tokens"));
        installTranslations(QStringLiteral("fr"));
        QCOMPARE(say(0), QStringLiteral("0 jeton"));  // French: 0 and 1 are singular
        QCOMPARE(say(2), QStringLiteral("2 jetons"));
        installTranslations(QStringLiteral("de"));
        QCOMPARE(say(1), QStringLiteral("1 Token"));
        installTranslations(QStringLiteral("ja"));
        QCOMPARE(say(3), QStringLiteral("3 トークン"));
        installTranslations(QStringLiteral("en"));
    }

    // The picker names each language in that language, and choosing one retranslates the window.
    void languagePickerListsEachLanguageByItsOwnName() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.window->showPage(MainWindow::SettingsPageIndex);
        QComboBox* language = s.window->settingsPage()->languageBox();
        QStringList names;
        for (int i = 0; i < language->count(); ++i) names << language->itemText(i);
        for (const QString& want :
             {QStringLiteral("English"), QStringLiteral("Deutsch"), QStringLiteral("Español"),
              QStringLiteral("Français"), QStringLiteral("日本語"), QStringLiteral("简体中文")})
            QVERIFY2(names.contains(want), qPrintable(names.join(QLatin1String(", "))));
        auto* nav = qobject_cast<QStandardItemModel*>(s.window->sidebar()->model());
        const QVector<QPair<QString, QString>> expect{{QStringLiteral("de"), QStringLiteral("Senden")},
                                                      {QStringLiteral("es"), QStringLiteral("Enviar")},
                                                      {QStringLiteral("fr"), QStringLiteral("Envoyer")},
                                                      {QStringLiteral("ja"), QStringLiteral("送信")}};
        for (const auto& [code, send] : expect) {
            language->setCurrentIndex(language->findData(code));
            QCoreApplication::processEvents();
            QCOMPARE(s.settings.language(), code);
            QCOMPARE(s.chat()->sendButton()->text(), send);
            QCOMPARE(nav->item(0)->text(), QCoreApplication::translate("MainWindow", "Chat"));
            // The picker keeps its own names whatever the interface language.
            QVERIFY(language->findText(QStringLiteral("简体中文")) >= 0);
        }
        language->setCurrentIndex(language->findData(QStringLiteral("en")));
        QCoreApplication::processEvents();
        QCOMPARE(nav->item(0)->text(), QStringLiteral("Chat"));
    }

    // Every page under a pseudo-locale: visible text without the ⟦ ⟧ marker escaped tr() (or a
    // retranslation on QEvent::LanguageChange); a label or button narrower than its text is clipped.
    void pseudoLocaleLeavesNoTextUntranslatedOrClipped() {
        QTemporaryDir dir;
        Studio s(dir.path());
        s.addReferenceModel();
        loadDataset(s, dir.path());  // text made before the switch must follow it (the preview)
        PseudoTranslator pseudo;
        QCoreApplication::installTranslator(&pseudo);
        QCoreApplication::processEvents();
        QStringList escaped, clipped;
        walkPages(s, &escaped, &clipped);
        QCoreApplication::removeTranslator(&pseudo);
        QVERIFY2(escaped.isEmpty(),
                 qPrintable(QStringLiteral("not translated:\n") + escaped.join(QLatin1Char('\n'))));
        QVERIFY2(clipped.isEmpty(),
                 qPrintable(QStringLiteral("clipped:\n") + clipped.join(QLatin1Char('\n'))));
    }

    // The real translations fit too (German runs longest, Japanese needs other fonts).
    void everyLanguageFitsTheWindow_data() {
        QTest::addColumn<QString>("code");
        for (const QString& code : {QStringLiteral("de"), QStringLiteral("es"), QStringLiteral("fr"),
                                    QStringLiteral("ja"), QStringLiteral("zh_CN")})
            QTest::newRow(qPrintable(code)) << code;
    }
    void everyLanguageFitsTheWindow() {
        QFETCH(QString, code);
        QTemporaryDir dir;
        Studio s(dir.path());
        s.addReferenceModel();
        loadDataset(s, dir.path());
        installTranslations(code);
        QCoreApplication::processEvents();
        QStringList clipped;
        walkPages(s, nullptr, &clipped);
        installTranslations(QStringLiteral("en"));
        QVERIFY2(clipped.isEmpty(),
                 qPrintable(QStringLiteral("clipped:\n") + clipped.join(QLatin1Char('\n'))));
    }

private:
    // A two-row Alpaca dataset previewed on the Train page (summary, histogram, examples).
    static void loadDataset(Studio& s, const QString& dir) {
        QFile f(dir + QStringLiteral("/data.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"([{"instruction": "Who are you?", "output": "Tim."},
                    {"instruction": "What do you like?", "output": "The big red ball."}])");
        f.close();
        QSignalSpy ready(s.window->trainPage(), &TrainPage::previewReady);
        s.window->trainPage()->setDataset(f.fileName());
        QVERIFY(ready.wait(20000));
    }

    // Shows each page of a 1280×800 window and lists visible text without the pseudo-locale's
    // marker (`escaped`, when given) and single-line labels and buttons narrower than their text.
    static void walkPages(Studio& s, QStringList* escaped, QStringList* clipped) {
        s.window->resize(1280, 800);
        // Names and values that come from the user's files and the model, not from the interface.
        const QStringList data{QStringLiteral("stories260K"), QStringLiteral("Atelier"),
                               QStringLiteral("hf")};
        auto check = [&](const QString& pageName) {
            for (QWidget* w : s.window->findChildren<QWidget*>()) {
                if (!w->isVisibleTo(s.window.get()) || w->width() <= 0) continue;
                QStringList texts;
                bool single = false;
                if (auto* l = qobject_cast<QLabel*>(w)) {
                    if (l->textFormat() == Qt::RichText || Qt::mightBeRichText(l->text()))
                        texts << QTextDocumentFragment::fromHtml(l->text()).toPlainText();
                    else
                        texts << l->text();
                    // An ElidedLabel ends in "…" with the whole text in its tooltip: given way, not clipped.
                    single = !l->wordWrap() && !l->text().contains(QLatin1Char('\n')) &&
                             l->pixmap().isNull() && !l->inherits("ElidedLabel");
                } else if (auto* b = qobject_cast<QAbstractButton*>(w)) {
                    texts << b->text() << b->toolTip();
                    single = !b->text().isEmpty() && !qobject_cast<QCheckBox*>(w);
                } else if (auto* g = qobject_cast<QGroupBox*>(w)) {
                    texts << g->title();
                } else if (auto* e = qobject_cast<QLineEdit*>(w)) {
                    texts << e->placeholderText();
                } else if (auto* t = qobject_cast<QTabBar*>(w)) {
                    for (int i = 0; i < t->count(); ++i) texts << t->tabText(i);
                } else if (auto* area = qobject_cast<QScrollArea*>(w)) {
                    // A form in a scroll area must fit across: its fields hidden behind a horizontal
                    // scroll bar are as lost as a clipped label.
                    QWidget* inner = area->widget();
                    if (inner && area->widgetResizable() &&
                        inner->minimumSizeHint().width() > area->viewport()->width() + 1)
                        *clipped << pageName + QStringLiteral(" QScrollArea \"%1\" needs %2 px, has %3")
                                                   .arg(inner->objectName())
                                                   .arg(inner->minimumSizeHint().width())
                                                   .arg(area->viewport()->width());
                } else if (auto* h = qobject_cast<QHeaderView*>(w)) {
                    for (int i = 0; h->model() && i < h->count(); ++i) {
                        const QString title = h->model()->headerData(i, h->orientation()).toString();
                        texts << title;
                        // A column title cut off ("ster Eval-Verlu") is clipped text too.
                        const int need = h->fontMetrics().horizontalAdvance(title) + 8;
                        if (h->orientation() == Qt::Horizontal && !h->isSectionHidden(i) &&
                            !title.isEmpty() && h->sectionSize(i) < need)
                            *clipped << pageName + QStringLiteral(" column \"%1\" needs %2 px, has %3")
                                                       .arg(title)
                                                       .arg(need)
                                                       .arg(h->sectionSize(i));
                    }
                }
                if (!w->toolTip().isEmpty() && !qobject_cast<QAbstractButton*>(w)) texts << w->toolTip();
                const QString what =
                    pageName + QLatin1Char(' ') + QString::fromLatin1(w->metaObject()->className());
                for (const QString& t : texts) {
                    if (!escaped || t.isEmpty() || !hasWords(t) || t.contains(QStringLiteral("⟦")) ||
                        t.contains(QChar(0x00B7)) || isData(t, data))
                        continue;
                    *escaped << what + QStringLiteral(" \"") + t.left(80) + QLatin1Char('"');
                }
                if (single && !texts.value(0).isEmpty() && w->sizeHint().width() > w->width() + 1)
                    *clipped << what + QStringLiteral(" \"") + texts.value(0).left(60) +
                                    QStringLiteral("\" needs %1 px, has %2")
                                        .arg(w->sizeHint().width())
                                        .arg(w->width());
            }
        };
        const QVector<QPair<MainWindow::Page, QString>> pages{
            {MainWindow::ChatPageIndex, QStringLiteral("Chat")},
            {MainWindow::ModelsPageIndex, QStringLiteral("Models")},
            {MainWindow::TrainPageIndex, QStringLiteral("Train")},
            {MainWindow::RunsPageIndex, QStringLiteral("Runs")},
            {MainWindow::SettingsPageIndex, QStringLiteral("Settings")}};
        for (const auto& [page, name] : pages) {
            s.window->showPage(page);
            QCoreApplication::processEvents();
            QTest::qWait(50);
            check(name);
            // A layout that cannot fit a 1280×800 screen clips as surely as a short label.
            const QSize need = s.window->minimumSizeHint();
            if (need.width() > 1280 || need.height() > 800)
                *clipped
                    << name +
                           QStringLiteral(" page needs a %1×%2 window").arg(need.width()).arg(need.height());
        }
        if (escaped) {
            auto* nav = qobject_cast<QStandardItemModel*>(s.window->sidebar()->model());
            for (int i = 0; i < nav->rowCount(); ++i)
                if (!nav->item(i)->text().contains(QStringLiteral("⟦")))
                    *escaped << QStringLiteral("sidebar ") + nav->item(i)->text();
            for (QAction* menu : s.window->menuBar()->actions())
                if (!menu->text().contains(QStringLiteral("⟦")))
                    *escaped << QStringLiteral("menu ") + menu->text();
            const QString status = s.window->statusBar()->currentMessage();
            if (hasWords(status) && !status.contains(QStringLiteral("⟦")))
                *escaped << QStringLiteral("status bar ") + status;
            escaped->removeDuplicates();
        }
        clipped->removeDuplicates();
    }
};

QTEST_MAIN(LanguagesTest)
#include "test_languages.moc"

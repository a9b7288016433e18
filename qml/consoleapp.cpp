#include "consoleapp.h"

#include <algorithm>
#include <utility>

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QLocale>
#include <QtCore/QTimer>
#include <QtCore/QTranslator>
#include <QtGui/QGuiApplication>
#include <QtGui/QOffscreenSurface>
#include <QtGui/QOpenGLContext>
#include <QtGui/QOpenGLFunctions>
#include <QtQml/QQmlApplicationEngine>
#include <QtQuick/QQuickWindow>
#include <QtQuick/QSGRendererInterface>
#include <QtQuickControls2/QQuickStyle>

#include "consolecontext.h"
#include "consolesettings.h"
#include "core/logging.h"
#include "server.h"
#include "profiles/profilestore.h"
#include "source/localsource.h"
#include "source/remotesource.h"

namespace Switchboard {

namespace {

// The OpenGL renderer's name when it is a CPU rasteriser (Mesa's llvmpipe or softpipe,
// SwiftShader), else empty.
QByteArray softwareOpenGLRenderer()
{
    QOpenGLContext context;
    if (!context.create())
        return {};
    QOffscreenSurface surface;
    surface.setFormat(context.format());
    surface.create();
    if (!surface.isValid() || !context.makeCurrent(&surface))
        return {};
    const auto *name = reinterpret_cast<const char *>(context.functions()->glGetString(GL_RENDERER));
    const QByteArray renderer = name ? QByteArray(name) : QByteArray();
    context.doneCurrent();
    for (const char *cpu : {"llvmpipe", "softpipe", "SwiftShader"}) {
        if (renderer.contains(cpu))
            return renderer;
    }
    return {};
}

// Without a GPU (Xvfb, most VMs) Qt Quick's OpenGL renderer hands every frame of the whole
// window to a CPU rasteriser whose own threads compete with the server's I/O threads: measured
// under 10,000 connections on two cores, llvmpipe took half of both cores and frames came
// 40-60 ms apart. Qt Quick's software renderer repaints only what changed (p50 16 ms, p99
// 31-42 ms in the same run). QT_QUICK_BACKEND / QSG_RHI_BACKEND in the environment still win.
void preferSoftwareRendererWithoutGpu()
{
    static bool decided = false;
    if (std::exchange(decided, true) || !qEnvironmentVariableIsEmpty("QT_QUICK_BACKEND")
        || !qEnvironmentVariableIsEmpty("QSG_RHI_BACKEND"))
        return;
    const QString platform = QGuiApplication::platformName();
    if (platform != QLatin1String("xcb") && platform != QLatin1String("wayland"))
        return; // offscreen (tests), minimal, eglfs: leave Qt's choice alone
    const QByteArray renderer = softwareOpenGLRenderer();
    if (renderer.isEmpty())
        return;
    QQuickWindow::setGraphicsApi(QSGRendererInterface::Software);
    qCInfo(lcServer).noquote() << "OpenGL renders on the CPU (" + QString::fromLatin1(renderer)
                                  + ") - using Qt Quick's software renderer";
}

} // namespace

ConsoleApp::ConsoleApp(Server &server, const QString &language)
    : ConsoleApp(std::make_unique<LocalSource>(server), server.config().lang, language)
{
    m_local = &server;
    ConsoleContext::setDetacher([this] { detach(); });
}

ConsoleApp::ConsoleApp(std::unique_ptr<ConsoleSource> source, const QString &configuredLanguage, const QString &language)
    : m_source(std::move(source))
{
    ConsoleContext::setSource(m_source.get());
    ConsoleContext::setLanguageSwitcher([this](const QString &lang) { return setLanguage(lang); });
    // Fusion follows the palette Main.qml derives from the Theme, and is compact enough for
    // dense tables; the style must be chosen before the first QML component loads, and once:
    // a second console in the same process (the UI tests make one per test) keeps it.
    static bool styleChosen = false;
    if (!std::exchange(styleChosen, true))
        QQuickStyle::setStyle(QStringLiteral("Fusion"));
    preferSoftwareRendererWithoutGpu();
    ConsoleContext::setAttacher([this](const ConnectionProfile &profile, const QString &token) { attach(profile, token); });
    createEngine();
    // --lang (or SWITCHBOARD_LANG / the config file) reaches the console through the server's
    // configuration unless the caller chose a language.
    const QString configured = language.isEmpty() ? configuredLanguage : language;
    setLanguage(configured.isEmpty() ? systemLanguage() : configured);
}

void ConsoleApp::createEngine()
{
    m_engine = std::make_unique<QQmlApplicationEngine>();
    // With Qt 6.4's default resource prefix the module's qmldir is at qrc:/Switchboard/Console/.
    m_engine->addImportPath(QStringLiteral("qrc:/"));
}

void ConsoleApp::attach(const ConnectionProfile &profile, const QString &token)
{
    // Called from QML (the dialog): the engine goes once that call has returned.
    QTimer::singleShot(0, [this, profile, token] {
        auto remote = std::make_unique<RemoteSource>(profile.url, token);
        remote->setReadOnly(profile.readOnly);
        RemoteSource *source = remote.get();
        rebuild(std::move(remote), std::make_unique<ConnectionProfile>(profile));
        source->open();
    });
}

void ConsoleApp::detach()
{
    if (!m_local)
        return;
    // Called from QML (the rail): the engine goes once that call has returned.
    QTimer::singleShot(0, [this] {
        if (!m_source->isRemote())
            return;
        qCInfo(lcServer).noquote() << "leaving" << m_source->displayName() << "- showing the embedded server again";
        rebuild(std::make_unique<LocalSource>(*m_local), nullptr);
    });
}

void ConsoleApp::rebuild(std::unique_ptr<ConsoleSource> source, std::unique_ptr<ConnectionProfile> profile)
{
    // The engine (and every model reading the old source) goes first, then the old source:
    // a RemoteSource closes its link as it is destroyed.
    m_engine.reset();
    m_source = std::move(source);
    m_profile = std::move(profile);
    ConsoleContext::setSource(m_source.get());
    ConsoleContext::setProfile(m_profile.get());
    createEngine();
    m_engine->setUiLanguage(m_language);
    QString error;
    if (!load(&error))
        qCWarning(lcServer).noquote() << "cannot show the console:" << error;
}

ConsoleApp::~ConsoleApp()
{
    m_engine.reset();
    ConsoleContext::setAttacher({});
    ConsoleContext::setDetacher({});
    ConsoleContext::setProfile(nullptr);
    if (m_translator)
        QCoreApplication::removeTranslator(m_translator.get());
    ConsoleContext::setLanguageSwitcher({});
    ConsoleContext::setSource(nullptr);
}

QStringList ConsoleApp::availableLanguages()
{
    return {QStringLiteral("en"), QStringLiteral("de"), QStringLiteral("fr")};
}

QString ConsoleApp::systemLanguage()
{
    const QStringList available = availableLanguages();
    for (const QString &ui : QLocale::system().uiLanguages()) {
        const QString lang = ui.section(QLatin1Char('-'), 0, 0).section(QLatin1Char('_'), 0, 0).toLower();
        if (available.contains(lang))
            return lang;
    }
    return QStringLiteral("en");
}

bool ConsoleApp::setLanguage(const QString &language)
{
    QString lang = language.section(QLatin1Char('_'), 0, 0).section(QLatin1Char('-'), 0, 0).toLower();
    if (!availableLanguages().contains(lang)) {
        qCWarning(lcServer).noquote() << "no console translation for" << language << "- using English";
        lang = QStringLiteral("en");
    }
    auto translator = std::make_unique<QTranslator>();
    if (!translator->load(QStringLiteral(":/i18n/switchboard_%1.qm").arg(lang))) {
        qCWarning(lcServer).noquote() << "cannot load the" << lang << "translation";
        return false;
    }
    if (m_translator)
        QCoreApplication::removeTranslator(m_translator.get());
    m_translator = std::move(translator);
    QCoreApplication::installTranslator(m_translator.get());
    m_language = lang;
    m_engine->setUiLanguage(lang);
    m_engine->retranslate();
    ConsoleSettings::setCurrentLanguage(lang);
    return true;
}

bool ConsoleApp::load(QString *error)
{
    // Qt 6.4 has no loadFromModule(); the module's files live under qrc:/<URI path>/.
    m_engine->load(QUrl(QStringLiteral("qrc:/Switchboard/Console/Main.qml")));
    if (m_engine->rootObjects().isEmpty()) {
        *error = QStringLiteral("Main.qml failed to load");
        return false;
    }
    // WIDTHxHEIGHT, for checking layouts and taking screenshots at a given size.
    const QStringList size = qEnvironmentVariable("SWITCHBOARD_WINDOW_SIZE").split(QLatin1Char('x'));
    if (QQuickWindow *w = window(); w && size.size() == 2 && size.at(0).toInt() > 0 && size.at(1).toInt() > 0)
        w->resize(size.at(0).toInt(), size.at(1).toInt());
    const QString frameLog = qEnvironmentVariable("SWITCHBOARD_FRAME_LOG");
    if (!frameLog.isEmpty())
        startFrameLog(frameLog);
    const QString shots = qEnvironmentVariable("SWITCHBOARD_SCREENSHOTS");
    if (!shots.isEmpty())
        startScreenshots(shots);
    return true;
}

QQuickWindow *ConsoleApp::window() const
{
    const auto roots = m_engine->rootObjects();
    return roots.isEmpty() ? nullptr : qobject_cast<QQuickWindow *>(roots.first());
}

void ConsoleApp::startFrameLog(const QString &path)
{
    QQuickWindow *w = window();
    m_frameLog = std::make_unique<QFile>(path);
    if (!w || !m_frameLog->open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
        qCWarning(lcServer).noquote() << "cannot write the frame log" << path;
        m_frameLog.reset();
        return;
    }
    // Intervals between frameSwapped() on the GUI thread: a long one is a frame the user saw
    // late. Each line sums up five seconds: frames, median, p99 and max interval, frames > 50 ms.
    struct State { QElapsedTimer clock; qint64 last = -1; QList<double> intervals; };
    auto state = std::make_shared<State>();
    state->clock.start();
    QFile *file = m_frameLog.get();
    QObject::connect(w, &QQuickWindow::frameSwapped, w, [state] {
        const qint64 now = state->clock.nsecsElapsed();
        if (state->last >= 0)
            state->intervals.append(double(now - state->last) / 1e6);
        state->last = now;
    }, Qt::DirectConnection);
    auto *timer = new QTimer(w);
    timer->setInterval(5000);
    QObject::connect(timer, &QTimer::timeout, w, [state, file, this] {
        QList<double> v = std::exchange(state->intervals, {});
        if (v.isEmpty())
            return;
        std::sort(v.begin(), v.end());
        const auto at = [&v](double q) { return v.at(qMin(qsizetype(q * double(v.size())), v.size() - 1)); };
        const qsizetype slow = std::count_if(v.cbegin(), v.cend(), [](double ms) { return ms > 50.0; });
        file->write(QStringLiteral("frames=%1 p50=%2ms p99=%3ms max=%4ms over50ms=%5 connections=%6 in/s=%7 out/s=%8\n")
                        .arg(v.size()).arg(at(0.5), 0, 'f', 1).arg(at(0.99), 0, 'f', 1).arg(v.last(), 0, 'f', 1)
                        .arg(slow).arg(m_source->status().connections)
                        .arg(m_source->status().sample.messagesInPerSec, 0, 'f', 0)
                        .arg(m_source->status().sample.messagesOutPerSec, 0, 'f', 0).toUtf8());
        file->flush();
    });
    timer->start();
    // Keep frames coming even when nothing changes, so the intervals measure the GUI thread.
    auto *tick = new QTimer(w);
    tick->setInterval(16);
    QObject::connect(tick, &QTimer::timeout, w, [w] { w->update(); });
    tick->start();
}

void ConsoleApp::startScreenshots(const QString &dir)
{
    QQuickWindow *w = window();
    if (!w)
        return;
    QDir().mkpath(dir);
    const QStringList pages = qEnvironmentVariable("SWITCHBOARD_SCREENSHOT_PAGES",
                                                   QStringLiteral("overview,connections,rooms,queues,events,emit,settings"))
                                  .split(QLatin1Char(','), Qt::SkipEmptyParts);
    const int delay = qEnvironmentVariableIntValue("SWITCHBOARD_SCREENSHOT_DELAY");
    const bool quit = qEnvironmentVariableIntValue("SWITCHBOARD_SCREENSHOT_QUIT") != 0;
    // With SWITCHBOARD_SCREENSHOT_DEMO=1 each page gets to show itself in use before the grab
    // (the Emit page sends a sample event), through Main.qml's prepareScreenshot().
    const bool demo = qEnvironmentVariableIntValue("SWITCHBOARD_SCREENSHOT_DEMO") != 0;
    // Show each page, give it a second to fill (models refresh at 4-5 Hz, charts at 1 Hz),
    // then grab it. The window's showPage() is the same path the navigation rail uses.
    auto index = std::make_shared<int>(-1);
    auto *timer = new QTimer(w);
    timer->setInterval(1500);
    QObject::connect(timer, &QTimer::timeout, w, [w, timer, index, pages, dir, quit, demo] {
        if (*index >= 0 && *index < pages.size()) {
            const QString file = QDir(dir).filePath(pages.at(*index) + QStringLiteral(".png"));
            w->grabWindow().save(file);
            qCInfo(lcServer).noquote() << "saved" << file;
        }
        ++*index;
        if (*index >= pages.size()) {
            timer->stop();
            if (quit)
                QCoreApplication::quit();
            return;
        }
        bool shown = false;
        QMetaObject::invokeMethod(w, "showPage", Q_RETURN_ARG(bool, shown), Q_ARG(QString, pages.at(*index)));
        if (!shown)
            qCWarning(lcServer).noquote() << "no console page" << pages.at(*index);
        else if (demo)
            QMetaObject::invokeMethod(w, "prepareScreenshot", Q_ARG(QString, pages.at(*index)));
    });
    QTimer::singleShot(qMax(0, delay), w, [timer] { timer->start(); });
}

} // namespace Switchboard

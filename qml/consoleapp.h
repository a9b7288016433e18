#pragma once

#include <memory>

#include <QtCore/QElapsedTimer>
#include <QtCore/QString>

QT_BEGIN_NAMESPACE
class QFile;
class QQmlApplicationEngine;
class QQuickWindow;
class QTranslator;
QT_END_NAMESPACE

namespace Switchboard {

class ConsoleSource;
class Server;
struct ConnectionProfile;

/**
 * @brief The operator console: a QML engine showing Main.qml, with the view models bound to
 * a ConsoleSource: an already running embedded Server, or a remote node's admin channel.
 * Create it after a QApplication exists (QtCharts needs one).
 *
 * The language is @p language when given, else the server configuration's (--lang), else the
 * first of the system's UI languages the console has a translation for, else English;
 * setLanguage() switches at run
 * time. Environment hooks serve docs and measurements: SWITCHBOARD_FRAME_LOG=FILE logs
 * frame intervals, SWITCHBOARD_SCREENSHOTS=DIR saves page grabs, SWITCHBOARD_WINDOW_SIZE=WxH
 * sizes the window (see docs/console.md).
 */
class ConsoleApp final
{
    Q_DISABLE_COPY_MOVE(ConsoleApp)

public:
    explicit ConsoleApp(Server &server, const QString &language = {});
    /// The console attached to @p source (a RemoteSource for --connect); @p configuredLanguage
    /// is used when @p language is empty, before the system's.
    ConsoleApp(std::unique_ptr<ConsoleSource> source, const QString &configuredLanguage, const QString &language);
    ~ConsoleApp();

    bool load(QString *error);
    QQmlApplicationEngine &engine() { return *m_engine; }
    /// The main window once load() succeeded.
    QQuickWindow *window() const;

    /**
     * Shows the remote node at @p profile's URL instead (the "Connect to server…" dialog):
     * on the next event-loop turn the QML engine is rebuilt around a new RemoteSource. The
     * embedded server, if any, keeps running.
     */
    void attach(const ConnectionProfile &profile, const QString &token);
    /**
     * Shows the embedded server again after attach() (the rail's "Back to the embedded
     * server"): on the next event-loop turn the remote link is closed and the QML engine is
     * rebuilt around the server, so nothing the remote node sent stays on screen. Does nothing
     * for a console started with --connect (it has no embedded server).
     */
    void detach();
    bool hasEmbeddedServer() const { return m_local != nullptr; }

    /// Installs the translation for @p language ("en", "de", "fr") and retranslates.
    bool setLanguage(const QString &language);
    QString language() const { return m_language; }
    /// The language used when none is given: the system's, if translated, else "en".
    static QString systemLanguage();
    static QStringList availableLanguages();

private:
    void createEngine();
    /// Makes @p source the console's and loads Main.qml around it (after attach/detach).
    void rebuild(std::unique_ptr<ConsoleSource> source, std::unique_ptr<ConnectionProfile> profile);
    void startFrameLog(const QString &path);
    void startScreenshots(const QString &dir);

    std::unique_ptr<ConsoleSource> m_source;
    Server *m_local = nullptr;   // the embedded server, kept running while a remote node is shown
    std::unique_ptr<ConnectionProfile> m_profile;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    std::unique_ptr<QTranslator> m_translator;
    QString m_language = QStringLiteral("en");
    std::unique_ptr<QFile> m_frameLog;
};

} // namespace Switchboard

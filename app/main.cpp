// Decides GUI vs headless and wires the server to it; nothing else lives here.
#include <memory>

#include <QtCore/QCoreApplication>
#include <QtWidgets/QApplication>

#include "cli.h"
#include "consoleapp.h"
#include "core/datadir.h"
#include "core/logging.h"
#include "server.h"
#include "unixsignals.h"

using namespace Switchboard;

namespace {

int run(QCoreApplication &app, const Cli::Invocation &invocation)
{
    ServerConfig config = invocation.config;
    installLogFormat(config.logFormat);
    QString error;
    QStringList notes;
    if (!prepareDataDir(&config, &error, &notes)) {
        qCCritical(lcServer).noquote() << error;
        return 1;
    }
    for (const QString &note : std::as_const(notes))
        qCInfo(lcServer).noquote() << note;

    Server server(config);
    if (!server.start(&error)) {
        qCCritical(lcServer).noquote() << error;
        return 1;
    }
    if (!notes.isEmpty())
        qCInfo(lcServer).noquote() << "mint a dev token with: switchboard token --user 42 --role admin"
                                   << (invocation.config.dataDir.isEmpty() ? QString() : QStringLiteral("--data-dir ") + config.dataDir);

    onTerminationSignal([&server, &app](int signal) {
        qCInfo(lcServer) << "signal" << signal << "received, shutting down";
        server.stop(1001, QStringLiteral("server shutting down"));
        app.quit();
    });

    std::unique_ptr<ConsoleApp> console;
    if (invocation.mode == Cli::Invocation::Mode::Gui) {
        console = std::make_unique<ConsoleApp>(server);
        if (!console->load(&error)) {
            qCCritical(lcServer).noquote() << "cannot load the console:" << error;
            return 1;
        }
    }
    const int code = app.exec();
    console.reset();
    server.stop();
    return code;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("Switchboard"));
    QCoreApplication::setApplicationName(QStringLiteral("switchboard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SWITCHBOARD_VERSION));

    if (!Cli::wantsGui(argc, argv)) {
        // Headless, token, help, version: a QCoreApplication, so no display is ever touched.
        QCoreApplication app(argc, argv);
        const Cli::Invocation invocation = Cli::parse(app.arguments());
        switch (invocation.mode) {
        case Cli::Invocation::Mode::Exit: return invocation.exitCode;
        case Cli::Invocation::Mode::Token: return Cli::runToken(app.arguments());
        default: return run(app, invocation);
        }
    }
    QApplication app(argc, argv); // QtCharts in QML needs a QApplication
    const Cli::Invocation invocation = Cli::parse(app.arguments());
    if (invocation.mode == Cli::Invocation::Mode::Exit)
        return invocation.exitCode;
    return run(app, invocation);
}

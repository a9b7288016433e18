// GUI mode: a QApplication (QtCharts in QML needs one) with the console around the server,
// or, with --connect, around a remote node's admin channel and no server at all.
#include <QtWidgets/QApplication>

#include "consoleapp.h"
#include "serve.h"
#include "source/remotesource.h"

using namespace Switchboard;

namespace {

int runRemote(QApplication &app, const Cli::Invocation &invocation)
{
    auto source = std::make_unique<RemoteSource>(invocation.connectUrl, invocation.config.adminToken);
    RemoteSource *remote = source.get();
    ConsoleApp console(std::move(source), invocation.config.lang, {});
    QString error;
    if (!console.load(&error)) {
        qCritical("%s", qPrintable(error));
        return 1;
    }
    remote->open();
    return app.exec();
}

} // namespace

extern "C" Q_DECL_EXPORT int switchboard_gui_main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const Cli::Invocation invocation = Cli::parse(app.arguments());
    if (invocation.mode == Cli::Invocation::Mode::Exit)
        return invocation.exitCode;
    if (invocation.connectUrl.isValid())
        return runRemote(app, invocation);
    return serve(app, invocation, [](Server &server, QString *error) -> std::shared_ptr<void> {
        auto console = std::make_shared<ConsoleApp>(server);
        if (!console->load(error))
            return {};
        return console;
    });
}

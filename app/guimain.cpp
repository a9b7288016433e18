// GUI mode: a QApplication (QtCharts in QML needs one) with the console around the server.
#include <QtWidgets/QApplication>

#include "consoleapp.h"
#include "serve.h"

using namespace Switchboard;

extern "C" Q_DECL_EXPORT int switchboard_gui_main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const Cli::Invocation invocation = Cli::parse(app.arguments());
    if (invocation.mode == Cli::Invocation::Mode::Exit)
        return invocation.exitCode;
    return serve(app, invocation, [](Server &server, QString *error) -> std::shared_ptr<void> {
        auto console = std::make_shared<ConsoleApp>(server);
        if (!console->load(error))
            return {};
        return console;
    });
}

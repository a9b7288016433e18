// Decides GUI vs headless and wires the server to it; nothing else lives here.
//
// The executable links only Qt Core/Network/WebSockets/HttpServer/Sql. The console (Qt Gui,
// Quick, Charts) is a separate library loaded at run time in GUI mode, so `--headless` never
// maps Qt Gui or a windowing system into the process.
#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QLibrary>
#include <QtCore/QLoggingCategory>

#include "cli.h"
#include "core/logging.h"
#include "serve.h"

using namespace Switchboard;

namespace {

int runGui(int argc, char **argv)
{
    // Next to the binary in the build tree, ../lib/switchboard when installed (/usr/bin and
    // /usr/lib/switchboard from the package). The executable's own path, not argv[0], which is
    // a bare name when it was found on PATH; the build tree's directory comes last, so an
    // installed binary never picks up a development copy.
    const QString appDir = QFileInfo(QStringLiteral("/proc/self/exe")).canonicalPath();
    QString lastError;
    for (const QString &dir : {appDir, appDir + QStringLiteral("/../lib/switchboard"), QStringLiteral(SWITCHBOARD_GUI_DIR)}) {
        QLibrary gui(QDir(dir).filePath(QStringLiteral("libswitchboard_gui.so")));
        gui.setLoadHints(QLibrary::ExportExternalSymbolsHint);
        if (!gui.load()) {
            lastError = gui.errorString();
            continue;
        }
        if (auto entry = reinterpret_cast<SwitchboardGuiMain>(gui.resolve("switchboard_gui_main")))
            return entry(argc, argv);
        lastError = gui.errorString();
    }
    qCCritical(lcServer).noquote() << "cannot load the console library:" << lastError
                                   << "\nRun with --headless for the server alone.";
    return 1;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("Switchboard"));
    QCoreApplication::setApplicationName(QStringLiteral("switchboard"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SWITCHBOARD_VERSION));
    // Debug output is opt-in (QT_LOGGING_RULES="switchboard.*.debug=true" still wins).
    QLoggingCategory::setFilterRules(QStringLiteral("switchboard.*.debug=false"));

    // Qt's poll()-based dispatcher instead of GLib's for every thread: with thousands of
    // sockets GLib's notifier bookkeeping dominated the profile (docs/benchmarks.md).
    if (qEnvironmentVariableIsEmpty("QT_NO_GLIB"))
        qputenv("QT_NO_GLIB", "1");

    if (Cli::wantsGui(argc, argv))
        return runGui(argc, argv);

    // Headless, token, help, version: a QCoreApplication, so no display is ever touched.
    QCoreApplication app(argc, argv);
    const Cli::Invocation invocation = Cli::parse(app.arguments());
    switch (invocation.mode) {
    case Cli::Invocation::Mode::Exit: return invocation.exitCode;
    case Cli::Invocation::Mode::Token: return Cli::runToken(app.arguments());
    case Cli::Invocation::Mode::AdminToken: return Cli::runAdminToken(app.arguments());
    default: return serve(app, invocation);
    }
}

#pragma once

#include <functional>
#include <memory>

#include <QtCore/QString>

#include "cli.h"

QT_BEGIN_NAMESPACE
class QCoreApplication;
QT_END_NAMESPACE

namespace Switchboard {

class Server;

/// Builds the GUI around a started server; returns null (with @p error) when it cannot.
using UiFactory = std::function<std::shared_ptr<void>(Server &server, QString *error)>;

/**
 * Runs the server for @p invocation inside @p app until SIGINT/SIGTERM or the app quits:
 * prepares the data dir, starts listening, and (when @p makeUi is set) shows the GUI.
 * Shared by headless mode and by the GUI library, which calls back into the executable.
 */
int serve(QCoreApplication &app, const Cli::Invocation &invocation, const UiFactory &makeUi = {});

} // namespace Switchboard

/// Entry point of the GUI library (libswitchboard_gui.so), loaded only in GUI mode.
extern "C" {
using SwitchboardGuiMain = int (*)(int argc, char **argv);
}

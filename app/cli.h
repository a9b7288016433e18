#pragma once

#include <QtCore/QStringList>
#include <QtCore/QUrl>

#include "core/config.h"

namespace Switchboard::Cli {

/// What the command line asks for.
struct Invocation
{
    enum class Mode { Gui, Headless, Token, AdminToken, Exit };
    Mode mode = Mode::Gui;
    int exitCode = 0;          // for Mode::Exit (help, version, errors)
    ServerConfig config;
    /// The options given on the command line, for a reload (SIGHUP) to resolve them the same way.
    QHash<QString, QString> flags;
    QStringList positional;
    /// --connect URL: the console attaches to this remote node instead of starting a server;
    /// config.adminToken (--admin-token) is the credential it presents (docs/console.md).
    QUrl connectUrl;
};

/// Decides before any QCoreApplication exists whether a GUI will be needed.
bool wantsGui(int argc, char **argv);

/// Parses the whole command line; prints help, version or errors itself (Mode::Exit).
Invocation parse(const QStringList &arguments);

/// `switchboard token --user ID [--role R] [--rooms a,b] [--ttl S]`: prints a signed dev token.
int runToken(const QStringList &arguments);

/// `switchboard admin-token --role R --name N [--ttl 8h]` prints an admin token;
/// `switchboard admin-token --revoke JTI` revokes one (docs/operations.md, "Roles and audit").
int runAdminToken(const QStringList &arguments);

} // namespace Switchboard::Cli

#include "serve.h"

#include <csignal>

#include <sys/resource.h>

#include <QtCore/QCoreApplication>

#include "admin/adminauth.h"
#include "core/datadir.h"
#include "core/logging.h"
#include "core/loglevel.h"
#include "server.h"
#include "transport/limitsreload.h"
#include "unixsignals.h"

namespace Switchboard {

namespace {

/// Many systems start processes with a soft limit of 1024 descriptors: far below the default
/// max-connections. Raise the soft limit to the hard one and say so when it is still short.
void raiseDescriptorLimit(int wanted)
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    if (limit.rlim_cur != RLIM_INFINITY && rlim_t(wanted) + 64 > limit.rlim_cur) {
        qCWarning(lcServer) << "the descriptor limit" << quint64(limit.rlim_cur)
                            << "is below max-connections" << wanted << "; raise it with ulimit -n";
    }
}

/// SIGHUP: the configuration resolved again as at start (flags > environment > --config
/// file); the limits of LiveLimits and the log level take the new values. A configuration
/// that does not load is logged and changes nothing.
void reloadConfig(Server &server, const Cli::Invocation &invocation)
{
    ServerConfig fresh;
    QString error;
    if (!ConfigLoader::load(invocation.flags, ConfigLoader::systemEnvironment(), &fresh, &error)) {
        qCWarning(lcServer).noquote() << "SIGHUP: the configuration was not reloaded, the running one stays:" << error;
        return;
    }
    const QStringList changed = server.limits().apply(fresh);
    // Open connections take the new limits on their threads, queued before the line below is
    // written (a test that reads it may then rely on them once its connection has answered).
    const int told = changed.isEmpty() ? 0 : applyLimitsToOpenConnections(server);
    // Said at the level in force until now, so that a reload to "warning" still says it.
    if (changed.isEmpty())
        qCInfo(lcServer).noquote() << "SIGHUP: configuration reloaded; no limit changed (log level" << fresh.logLevel + QLatin1Char(')');
    else
        qCInfo(lcServer).noquote() << "SIGHUP: configuration reloaded:" << changed.join(QStringLiteral(", "))
                                   << "(log level" << fresh.logLevel + QLatin1Char(')') << "; open connections told:" << told;
    applyLogLevel(fresh.logLevel);
}

} // namespace

int serve(QCoreApplication &app, const Cli::Invocation &invocation, const UiFactory &makeUi)
{
    ServerConfig config = invocation.config;
    installLogFormat(config.logFormat);
    applyLogLevel(config.logLevel);
    QString error;
    QStringList notes;
    if (!prepareDataDir(&config, &error, &notes)) {
        qCCritical(lcServer).noquote() << error;
        return 1;
    }
    for (const QString &note : std::as_const(notes))
        qCInfo(lcServer).noquote() << note;

    // A TLS connection holds three descriptors: its TCP socket and both ends of its socketpair.
    raiseDescriptorLimit(config.tlsCert.isEmpty() ? config.maxConnections : 3 * config.maxConnections);
    Server server(config);
    // Installed before listening, so a signal that races the start still shuts down cleanly.
    const auto onSignal = [&server, &app, &invocation](int signal) {
        if (signal == SIGHUP) {
            // Reloads what can be reloaded without a restart (docs/operations.md#reload): the
            // limits and log level, the TLS certificate and key, the admin revocation list.
            reloadConfig(server, invocation);
            server.adminAuth().reload();
            QString reloadError;
            if (server.tls() && !server.reloadTls(&reloadError))
                qCWarning(lcServer).noquote() << "SIGHUP: the TLS certificate was not reloaded:" << reloadError;
            else if (!server.tls())
                qCInfo(lcServer) << "SIGHUP: nothing to reload (TLS is off)";
            return;
        }
        qCInfo(lcServer) << "signal" << signal << "received, shutting down";
        server.stop(1001, QStringLiteral("server shutting down"));
        app.quit();
    };
    onSignals(onSignal);
    // POST /api/admin/stop and the admin channel's "stop": the same path as SIGTERM.
    QObject::connect(&server, &Server::stopRequested, &app, [onSignal] {
        qCInfo(lcServer) << "stop requested by an admin";
        onSignal(SIGTERM);
    });
    if (!server.start(&error)) {
        qCCritical(lcServer).noquote() << error;
        return 1;
    }
    if (!notes.isEmpty()) {
        QString hint = QStringLiteral("mint a dev token with: switchboard token --user 42 --role admin");
        if (!invocation.config.dataDir.isEmpty())
            hint += QStringLiteral(" --data-dir ") + config.dataDir;
        qCInfo(lcServer).noquote() << hint;
    }

    std::shared_ptr<void> ui;
    if (makeUi) {
        ui = makeUi(server, &error);
        if (!ui) {
            qCCritical(lcServer).noquote() << "cannot start the console:" << error;
            return 1;
        }
    }
    const int code = app.exec();
    ui.reset();
    server.stop();
    return code;
}

} // namespace Switchboard

#include "serverstatus.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtQml/QQmlEngine>

#include "consolecontext.h"
#include "server.h"

namespace Switchboard {

ServerStatus *ServerStatus::create(QQmlEngine *, QJSEngine *)
{
    Server *server = ConsoleContext::server();
    Q_ASSERT_X(server, "ServerStatus", "ConsoleApp must set the server before QML loads");
    auto *status = new ServerStatus(*server);
    QJSEngine::setObjectOwnership(status, QJSEngine::JavaScriptOwnership);
    return status;
}

ServerStatus::ServerStatus(Server &server, QObject *parent) : QObject(parent), m_server(server)
{
    m_timer.setInterval(250);
    connect(&m_timer, &QTimer::timeout, this, &ServerStatus::refresh);
    m_timer.start();
    refresh();
}

void ServerStatus::refresh()
{
    const Registry &registry = m_server.registry();
    m_connections = registry.connectionCount();
    m_users = registry.userCount();
    m_rooms = registry.roomCount();
    const MetricsSample s = m_server.lastSample();
    m_inPerSec = s.messagesInPerSec;
    m_outPerSec = s.messagesOutPerSec;
    m_queueDepth = s.queueDepth;
    m_errorsPerSec = s.errorsPerSec;
    m_p50 = s.p50Ms;
    m_p99 = s.p99Ms;
    const Metrics &metrics = m_server.metrics();
    m_totalConnections = qint64(metrics.connectionsTotal.load(std::memory_order_relaxed));
    m_authFailures = qint64(metrics.authFailures.load(std::memory_order_relaxed));
    m_rateLimited = qint64(metrics.rateLimited.load(std::memory_order_relaxed));
    m_errorsTotal = qint64(metrics.errors.load(std::memory_order_relaxed));
    // Health and the node list are local reads (the broker caches what it last read from
    // Redis on its own thread): no network I/O here. The node list changes once a second.
    m_degradedReason = m_server.isRunning() ? m_server.broker().degradedReason() : QString();
    if (m_ticks++ % 4 == 0) {
        const QJsonObject nodes = m_server.broker().nodesJson();
        m_redisAddress = nodes.value(QLatin1String("redis")).toString();
        m_clusterNodes = nodes.value(QLatin1String("nodes")).toArray().toVariantList();
        m_clusterNodesUp = 0;
        for (const QVariant &node : std::as_const(m_clusterNodes)) {
            const QString state = node.toMap().value(QStringLiteral("state")).toString();
            if (state == QLatin1String("up") || state == QLatin1String("degraded"))
                ++m_clusterNodesUp;
        }
        Q_EMIT clusterChanged();
    }
    Q_EMIT changed();
}

bool ServerStatus::start()
{
    QString error;
    const bool ok = m_server.start(&error);
    if (m_lastError != error) {
        m_lastError = error;
        Q_EMIT lastErrorChanged();
    }
    refresh();
    return ok;
}

void ServerStatus::stop()
{
    m_server.stop(1001, QStringLiteral("server stopped from the console"));
    refresh();
}

QString ServerStatus::url() const { return m_server.url(); }
QString ServerStatus::wsUrl() const { return m_server.wsUrl(); }
bool ServerStatus::running() const { return m_server.isRunning(); }
int ServerStatus::threads() const { return m_server.isRunning() ? m_server.threadCount() : 0; }
qint64 ServerStatus::uptime() const { return m_server.uptimeSeconds(); }
int ServerStatus::maxConnections() const { return m_server.config().maxConnections; }
bool ServerStatus::clustered() const { return m_server.broker().isClustered(); }
QString ServerStatus::nodeName() const { return m_server.nodeName(); }

} // namespace Switchboard

#include "adminsummary.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QUrl>

#include "admin/nodedrain.h"
#include "metrics/metricsjson.h"
#include "server.h"

#ifndef SWITCHBOARD_VERSION
#define SWITCHBOARD_VERSION "0.0.0"
#endif

namespace Switchboard::AdminSummary {

QJsonObject nodeJson(const Server &server)
{
    return {{QStringLiteral("name"), server.nodeName()}, {QStringLiteral("uid"), server.broker().nodeId()}};
}

QString maskedUrl(const QString &url)
{
    if (url.isEmpty())
        return url;
    QUrl u(url);
    if (!u.password().isEmpty())
        u.setPassword(QStringLiteral("***"));
    return u.toString();
}

QJsonObject serverJson(const Server &server)
{
    const ServerConfig &c = server.config();
    return {{QStringLiteral("version"), QStringLiteral(SWITCHBOARD_VERSION)},
            {QStringLiteral("url"), server.url()},
            {QStringLiteral("wsUrl"), server.wsUrl()},
            {QStringLiteral("threads"), server.threadCount()},
            {QStringLiteral("maxConnections"), c.maxConnections},
            {QStringLiteral("heartbeatInterval"), c.heartbeatIntervalMs},
            {QStringLiteral("heartbeatTimeout"), c.heartbeatTimeoutMs},
            {QStringLiteral("maxMessageSize"), c.maxMessageSize},
            {QStringLiteral("rateLimit"), c.rateLimit},
            {QStringLiteral("rateBurst"), c.rateBurst},
            {QStringLiteral("maxPendingBytes"), c.maxPendingBytes},
            {QStringLiteral("redisUrl"), maskedUrl(c.redisUrl)},
            {QStringLiteral("dataDir"), c.dataDir},
            {QStringLiteral("queueMaxAttempts"), c.queueMaxAttempts},
            {QStringLiteral("queueMaxPayload"), c.queueMaxPayload},
            {QStringLiteral("maxAdminChannels"), c.maxAdminChannels}};
}

QJsonObject summaryJson(const Server &server)
{
    const MetricsSample sample = server.lastSample();
    Metrics &metrics = const_cast<Server &>(server).metrics();
    const Registry &registry = server.registry();
    const Broker &broker = server.broker();
    QString redisAddress;
    if (!server.config().redisUrl.isEmpty()) {
        const QUrl u(server.config().redisUrl);
        redisAddress = QStringLiteral("%1:%2").arg(u.host()).arg(u.port(6379));
    }
    QJsonArray nodes;
    for (const QJsonValue &value : broker.nodesJson().value(QLatin1String("nodes")).toArray()) {
        QJsonObject node = value.toObject();
        const QString state = node.value(QLatin1String("state")).toString();
        node.insert(QStringLiteral("up"), state == QLatin1String("up") || state == QLatin1String("degraded"));
        if (node.value(QLatin1String("self")).toBool() || (!broker.isClustered() && !node.contains(QLatin1String("uid"))))
            node.insert(QStringLiteral("uid"), broker.nodeId());
        nodes.append(node);
    }
    return {{QStringLiteral("type"), QStringLiteral("summary")},
            {QStringLiteral("v"), 1},
            {QStringLiteral("at"), QDateTime::currentMSecsSinceEpoch()},
            {QStringLiteral("running"), server.isRunning()},
            {QStringLiteral("draining"), server.drain().isDraining()},
            {QStringLiteral("uptime"), server.uptimeSeconds()},
            {QStringLiteral("connections"), registry.connectionCount()},
            {QStringLiteral("users"), registry.userCount()},
            {QStringLiteral("rooms"), registry.roomCount()},
            {QStringLiteral("eventsInPerSec"), sample.messagesInPerSec},
            {QStringLiteral("eventsOutPerSec"), sample.messagesOutPerSec},
            {QStringLiteral("queueDepth"), sample.queueDepth},
            {QStringLiteral("errorsPerSec"), sample.errorsPerSec},
            {QStringLiteral("p50Ms"), sample.p50Ms},
            {QStringLiteral("p99Ms"), sample.p99Ms},
            {QStringLiteral("totalConnections"), qint64(metrics.connectionsTotal.load(std::memory_order_relaxed))},
            {QStringLiteral("authFailures"), qint64(metrics.authFailures.load(std::memory_order_relaxed))},
            {QStringLiteral("rateLimited"), qint64(metrics.rateLimited.load(std::memory_order_relaxed))},
            {QStringLiteral("errorsTotal"), qint64(metrics.errors.load(std::memory_order_relaxed))},
            {QStringLiteral("clustered"), broker.isClustered()},
            {QStringLiteral("nodeName"), server.nodeName()},
            {QStringLiteral("redisAddress"), redisAddress},
            {QStringLiteral("degradedReason"), server.isRunning() ? broker.degradedReason() : QString()},
            {QStringLiteral("nodes"), nodes},
            {QStringLiteral("sample"), metricsSampleJson(sample)}};
}

} // namespace Switchboard::AdminSummary

#include "localbroker.h"

#include <algorithm>

#include "cluster/presence.h"
#include "core/logging.h"
#include "protocol/messages.h"
#include "server.h"

namespace Switchboard {

void LocalBroker::query(const PresenceQuery &query, std::function<void(const QJsonObject &)> done)
{
    done(mergePresence(query, {{m_server.nodeName(), localPresence(m_server, query)}}));
}

bool LocalBroker::admitHere(Server &server, const QString &userId)
{
    const int max = server.config().maxConnectionsPerUser;
    QList<quint64> ids = server.registry().userConnections(userId);
    if (ids.size() < max)
        return true;
    if (!server.config().evictOldestUserConnection)
        return false;
    // Ids grow with each connection on this node: the smallest are the oldest.
    std::sort(ids.begin(), ids.end());
    for (qsizetype i = 0; i <= ids.size() - max; ++i) {
        qCInfo(lcAuth).noquote() << "user" << userId << "over --max-connections-per-user" << max
                                 << ": closing its oldest connection" << ids.at(i);
        server.disconnectConnection(ids.at(i), Protocol::Replaced, QStringLiteral("replaced by a newer connection"));
    }
    return true;
}

QString LocalBroker::nodeId() const
{
    return m_server.nodeName();
}

QJsonObject LocalBroker::nodesJson() const
{
    return {{QStringLiteral("nodes"), QJsonArray{m_server.nodeJson()}}, {QStringLiteral("self"), m_server.nodeName()}};
}

} // namespace Switchboard

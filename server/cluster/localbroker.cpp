#include "localbroker.h"

#include "cluster/presence.h"
#include "server.h"

namespace Switchboard {

void LocalBroker::query(const PresenceQuery &query, std::function<void(const QJsonObject &)> done)
{
    done(mergePresence(query, {{m_server.nodeName(), localPresence(m_server, query)}}));
}

QJsonObject LocalBroker::nodesJson() const
{
    return {{QStringLiteral("nodes"), QJsonArray{m_server.nodeJson()}}, {QStringLiteral("self"), m_server.nodeName()}};
}

} // namespace Switchboard

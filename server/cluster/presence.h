#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>

#include "cluster/broker.h"

namespace Switchboard {

class Server;
struct ConnectionSnapshot;

/// One connection as the HTTP API shows it.
QJsonObject connectionJson(const ConnectionSnapshot &c);

/**
 * Presence answers are computed per node, then merged (docs/cluster.md, "Presence"). A
 * node's part is internal (it may hold user ids a public route does not show); the merge
 * gives the route's answer with the totals, and per-node figures under "nodes".
 */
QJsonObject localPresence(const Server &server, const PresenceQuery &query);

struct PresencePart
{
    QString node;          // the node's name (--node-name), for display
    QJsonObject part;
    QString id;            // its identity (Broker::nodeId()); empty: the name is
};
QJsonObject mergePresence(const PresenceQuery &query, const QList<PresencePart> &parts);

QJsonObject presenceQueryJson(const PresenceQuery &query);
PresenceQuery presenceQueryFrom(const QJsonObject &json);

} // namespace Switchboard

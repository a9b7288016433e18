#pragma once

#include <functional>

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>

#include "cluster/presence.h"

namespace Switchboard {

/**
 * @brief Asks the nodes of a cluster for their part of an admin channel page (connections or
 * rooms, cluster/nodepage.h) over the cluster's request/response fan-in. A broker that can
 * reach other nodes implements it beside Broker (RedisBroker); a single node has none and
 * reads its registry itself. Kept apart from Broker so that the admin channel's needs do not
 * widen the interface every emit path includes.
 */
class NodePages
{
public:
    virtual ~NodePages() = default;

    struct Answer
    {
        QList<PresencePart> parts; // this node's too, when the query asks it
        bool partial = false;      // some node did not answer in time, or could not be reached
        QString error;
    };
    /// Sends @p query (NodePageQuery::toJson()) to every node; @p done runs once, on any
    /// thread, within about a second.
    virtual void askNodePages(const QJsonObject &query, std::function<void(const Answer &)> done) = 0;
};

} // namespace Switchboard

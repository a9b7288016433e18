#pragma once

#include <functional>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include "cluster/presencestore.h"
#include "emit.h"

namespace Switchboard {

/**
 * @brief How emits, remote operations and presence questions reach the other nodes.
 *
 * The single-node server has a LocalBroker: nothing leaves the process. With --redis it is
 * a RedisBroker (cluster/redisbroker.h), which speaks the Socket.IO Redis adapter's wire
 * format. Every method may be called from any thread; callbacks run on any thread.
 */
class Broker
{
public:
    virtual ~Broker() = default;

    virtual bool isClustered() const = 0;
    virtual void start() = 0;
    /// Stops being a member (no longer counted, no longer announced), before clients close.
    virtual void leave() = 0;
    virtual void stop() = 0;
    /// Empty when healthy; why the node is "degraded" otherwise.
    virtual QString degradedReason() const = 0;
    /// Empty once the node has joined its cluster (reached Redis, subscribed and had its
    /// connection-id prefix confirmed, once since it started) and holds no prefix another node
    /// holds; why not otherwise (GET /ready). A later Redis outage leaves it ready.
    virtual QString notReadyReason() const { return {}; }
    /// Connection ids handed out by this node start here (unique across the cluster).
    virtual quint64 connectionIdBase() const = 0;
    /// This node's identity on the wire (presence): unique across the cluster even when two
    /// nodes share a --node-name. Its name when there is no cluster.
    virtual QString nodeId() const = 0;

    /// Sends an emit that was handed to this node's sockets to the other nodes. @p done gets
    /// the outcome (not called for a LocalBroker). False when nothing was attempted.
    virtual bool publish(const EmitRequest &request, std::function<void(const PublishOutcome &)> done) = 0;

    enum class ConnectionOp { Disconnect, Join, Leave };
    /// Runs @p op on connection @p id, which is not on this node, wherever it is; @p done
    /// gets whether some node had it. A LocalBroker answers false at once.
    virtual void remoteConnection(quint64 id, ConnectionOp op, const QString &room, int code, const QString &reason,
                                  std::function<void(bool found)> done) = 0;
    /// A client of this node acknowledged emit @p emitId: when the emit came from another node
    /// (or a Node server's broadcast with acks), the ack is sent there and true returned.
    virtual bool forwardAck(const QString &emitId, quint64 connectionId, const QString &userId, bool ok,
                            const QString &error, const QJsonArray &args) = 0;
    /// Presence events (rooms/presenceevents.h): @p userId's first connection on this node
    /// entered @p room, or its last one left; other nodes' subscribers are told. Nothing to do
    /// on a single node.
    virtual void publishPresence(const QString &room, const QString &userId, bool joined)
    {
        Q_UNUSED(room);
        Q_UNUSED(userId);
        Q_UNUSED(joined);
    }
    /// --max-connections-per-user (docs/security.md): may connection @p connectionId of
    /// @p userId open? Over the cap it is refused or, with evict-oldest, the user's oldest
    /// connections are closed with 4004 wherever they are. A LocalBroker counts this node's
    /// connections and answers at once (@p later is not called). A RedisBroker counts the
    /// cluster's: Pending, and @p later runs once on any thread with the verdict; cut off from
    /// Redis it counts this node's like a LocalBroker. A connection admitted that does not
    /// open after all (gone meanwhile, server full) is handed back with userConnectionClosed().
    enum class Admission { Admitted, Refused, Pending };
    virtual Admission admitUser(const QString &userId, quint64 connectionId, std::function<void(bool admitted)> later) = 0;
    /// A connection of @p userId that admitUser() let in has closed (any thread).
    virtual void userConnectionClosed(const QString &userId, quint64 connectionId) = 0;
    /// Who is connected where: this node's registry alone (LocalBroker), or every node's
    /// (RedisBroker, by fan-in).
    virtual PresenceStore &presence() = 0;
    /// {"nodes":[...], "self": name}
    virtual QJsonObject nodesJson() const = 0;
    /// The adapter's serverSideEmit(event, ...args) to every other server of the cluster
    /// (Switchboard nodes and Node servers); with @p ack, @p done gets their answers
    /// {"responses":[...], "servers": n} (or "partial" after @p timeoutMs).
    virtual void serverSideEmit(const QString &nsp, const QJsonArray &data, bool ack, int timeoutMs,
                                std::function<void(const QJsonObject &)> done) = 0;
};

} // namespace Switchboard

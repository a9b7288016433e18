#pragma once

#include <atomic>

#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QMutex>
#include <QtCore/QPair>
#include <QtCore/QRegularExpression>
#include <QtCore/QSet>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include "protocol/ratelimiter.h"
#include "rooms/presenceorder.h"

namespace Switchboard {

class Server;

/**
 * @brief Presence subscriptions (docs/hooks.md, "Presence"): clients watch who is in a room.
 *
 * A subscriber gets a snapshot of the users present, then "presence:join" when a user's first
 * connection enters the room and "presence:leave" when its last one goes, wherever in the
 * cluster that happens. Only rooms matching --presence-rooms may be watched (none by
 * default); a connection holds at most --max-presence-subscriptions and is sent at most
 * --presence-event-rate events a second (burst twice that; the rest are dropped and counted).
 *
 * Per watched room it keeps, for each user present, the nodes the user is on: this node's
 * changes come from the registry (first / last connection of a user here), other nodes'
 * from the broker (Broker::publishPresence); a user is present while any node has them.
 * Thread-safe; events reach connections through Server::postToConnection.
 */
class PresenceEvents final
{
    Q_DISABLE_COPY_MOVE(PresenceEvents)

public:
    explicit PresenceEvents(Server &server);

    /// --presence-rooms is set.
    bool isEnabled() const { return !m_patterns.isEmpty(); }
    /// @p room matches --presence-rooms.
    bool isWatchable(const QString &room) const;

    struct Refusal { QString code; QString message; bool isEmpty() const { return code.isEmpty(); } };
    /// Connection @p connectionId (of @p userId / @p role, Socket.IO namespace @p nsp) watches
    /// @p room from now on; the snapshot comes later through Connection::sendPresence
    /// ("presence:snapshot"), before any join or leave. A refusal says why not.
    Refusal subscribe(quint64 connectionId, const QString &userId, const QString &role, const QString &nsp,
                      const QString &room);
    /// False when it was not watching @p room.
    bool unsubscribe(quint64 connectionId, const QString &room);
    /// The connection closed: its subscriptions go.
    void connectionGone(quint64 connectionId);

    /// This node's registry: @p userId's first connection here entered @p room / its last left.
    /// What is published is what the registry says now (PresenceOrder), not @p joined, so
    /// changes of one user on two threads cannot be published in the wrong order.
    void localChange(const QString &room, const QString &userId, bool joined);
    /// The node is about to leave the cluster (graceful stop): tells the other nodes that
    /// every user present here in a watchable room left, while the broker can still publish,
    /// and publishes nothing more afterwards. Returns how many leaves it published.
    int nodeLeaving();
    /// Another node's (Broker::publishPresence).
    void remoteChange(const QString &node, const QString &room, const QString &userId, bool joined);

    quint64 dropped() const;

private:
    struct Subscriber { QString nsp; bool ready = false; };
    struct Room
    {
        QHash<quint64, Subscriber> subscribers;
        QHash<QString, QSet<QString>> users; // user -> nodes where present
        bool seeded = false;                 // the snapshot arrived: users is current
        bool querying = false;               // a snapshot is asked for
        /// Changes that arrive while the snapshot is asked for ((user, node) -> joined, the
        /// last one wins): applied over the snapshot, whose parts may predate them.
        QHash<QPair<QString, QString>, bool> duringQuery;
    };
    struct Watcher { int subscriptions = 0; RateLimiter limiter; bool warned = false; };

    struct Outgoing { quint64 connectionId; QString nsp; QString event; QJsonObject data; };

    void apply(const QString &node, const QString &room, const QString &userId, bool joined);
    void snapshotArrived(const QString &room, const QJsonObject &merged);
    /// Under the lock: the events ready subscribers of @p room get, rate-bounded per
    /// connection, into @p out (sent by send() once the lock is released).
    void queueLocked(const Room &room, const QString &event, const QJsonObject &data, QList<Outgoing> *out);
    void send(const QList<Outgoing> &out);

    Server &m_server;
    const QList<QRegularExpression> m_patterns;
    std::atomic<bool> m_leaving{false};    // nodeLeaving() ran: nothing more is published
    PresenceOrder m_order;
    mutable QMutex m_lock;
    QHash<QString, Room> m_rooms;          // rooms with subscribers on this node
    QHash<quint64, Watcher> m_watchers;    // connections with subscriptions
    quint64 m_dropped = 0;
};

} // namespace Switchboard

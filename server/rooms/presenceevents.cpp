#include "presenceevents.h"

#include <QtCore/QJsonArray>

#include "auth/roompolicy.h"
#include "core/logging.h"
#include "server.h"
#include "transport/connection.h"

namespace Switchboard {

namespace {

QList<QRegularExpression> compile(const QStringList &patterns)
{
    QList<QRegularExpression> list;
    for (const QString &pattern : patterns)
        list << RoomPolicy::wildcard(pattern);
    return list;
}

QJsonObject change(const QString &room, const QString &userId)
{
    return {{QStringLiteral("room"), room}, {QStringLiteral("userId"), userId}};
}

/// Users listed in one snapshot at most (a frame of a few hundred KB); beyond it the snapshot
/// says "truncated" and how many users there are.
constexpr int kMaxSnapshotUsers = 10000;

QJsonObject snapshot(const QString &room, const QHash<QString, QSet<QString>> &present)
{
    QJsonArray users;
    for (auto it = present.cbegin(); it != present.cend() && users.size() < kMaxSnapshotUsers; ++it)
        users.append(it.key());
    QJsonObject o{{QStringLiteral("room"), room}, {QStringLiteral("users"), users}};
    if (present.size() > users.size()) {
        o.insert(QStringLiteral("truncated"), true);
        o.insert(QStringLiteral("count"), int(present.size()));
    }
    return o;
}

} // namespace

PresenceEvents::PresenceEvents(Server &server)
    : m_server(server)
    , m_patterns(compile(server.config().presenceRooms))
    , m_order([&server](const QString &room, const QString &userId) { return server.registry().userInRoom(userId, room); },
              [this](const QString &room, const QString &userId, bool present) {
                  // Other nodes' subscribers learn it from the broker (nothing leaves a single node).
                  if (!m_leaving.load(std::memory_order_acquire))
                      m_server.broker().publishPresence(room, userId, present);
                  apply(m_server.broker().nodeId(), room, userId, present);
              })
{
}

bool PresenceEvents::isWatchable(const QString &room) const
{
    for (const QRegularExpression &pattern : m_patterns) {
        if (pattern.match(room).hasMatch())
            return true;
    }
    return false;
}

PresenceEvents::Refusal PresenceEvents::subscribe(quint64 connectionId, const QString &userId, const QString &role,
                                                  const QString &nsp, const QString &room)
{
    const ServerConfig &config = m_server.config();
    if (room.isEmpty() || room.size() > RoomPolicy::kMaxRoomLength)
        return {QStringLiteral("invalid_room"), QStringLiteral("\"room\" must be a room name of at most %1 characters").arg(RoomPolicy::kMaxRoomLength)};
    if (!isWatchable(room))
        return {QStringLiteral("presence_not_allowed"),
                isEnabled() ? QStringLiteral("presence of room %1 is not enabled (--presence-rooms %2)").arg(room, config.presenceRooms.join(QLatin1Char(',')))
                            : QStringLiteral("presence events are off on this server (--presence-rooms)")};
    // Watching a room needs the right to be in it.
    const QString why = m_server.roomPolicy().checkSubscribe(userId, role, room);
    if (!why.isEmpty())
        return {QStringLiteral("forbidden"), why};

    QList<Outgoing> out;
    bool query = false;
    {
        QMutexLocker lock(&m_lock);
        Watcher &watcher = m_watchers[connectionId];
        Room &state = m_rooms[room];
        const bool already = state.subscribers.contains(connectionId);
        if (!already && watcher.subscriptions >= config.maxPresenceSubscriptions) {
            if (watcher.subscriptions == 0)
                m_watchers.remove(connectionId);
            if (state.subscribers.isEmpty())
                m_rooms.remove(room);
            return {QStringLiteral("too_many_presence_subscriptions"),
                    QStringLiteral("a connection can watch the presence of at most %1 rooms (--max-presence-subscriptions); unsubscribe one first")
                        .arg(config.maxPresenceSubscriptions)};
        }
        if (!already) {
            if (watcher.subscriptions++ == 0)
                watcher.limiter = RateLimiter(config.presenceEventRate, 2 * config.presenceEventRate, Server::monotonicMs());
            state.subscribers.insert(connectionId, Subscriber{nsp, false});
        }
        if (state.seeded) {
            // The room is watched already: its state is current, the snapshot is sent now.
            state.subscribers[connectionId].ready = true;
            out.append({connectionId, nsp, QStringLiteral("presence:snapshot"), snapshot(room, state.users)});
        } else if (!state.querying) {
            state.querying = true;
            query = true;
        }
    }
    send(out);
    if (query) {
        // Who is in the room on every node (the cluster's presence store); changes that
        // arrive meanwhile are kept and the snapshot includes them.
        m_server.broker().presence().query(PresenceQuery{PresenceQuery::Kind::Room, room, {}, {}},
                                           [this, room](const QJsonObject &merged) { snapshotArrived(room, merged); });
    }
    return {};
}

void PresenceEvents::snapshotArrived(const QString &room, const QJsonObject &merged)
{
    QList<Outgoing> out;
    {
        QMutexLocker lock(&m_lock);
        const auto it = m_rooms.find(room);
        if (it == m_rooms.end())
            return; // nobody watches it any more
        const QString self = m_server.broker().nodeId();
        for (const QJsonValue &member : merged.value(QLatin1String("members")).toArray()) {
            const QJsonObject m = member.toObject();
            const QString node = m.value(QLatin1String("nodeId")).toString(m.value(QLatin1String("node")).toString(self));
            it->users[m.value(QLatin1String("userId")).toString()].insert(node);
        }
        // A node's part may predate a change that arrived meanwhile: the change wins (a leave
        // during the fan-in must not be undone by the snapshot).
        for (auto change = it->duringQuery.cbegin(); change != it->duringQuery.cend(); ++change) {
            const auto &[userId, node] = change.key();
            if (change.value()) {
                it->users[userId].insert(node);
            } else if (const auto user = it->users.find(userId); user != it->users.end()) {
                user->remove(node);
                if (user->isEmpty())
                    it->users.erase(user);
            }
        }
        it->duringQuery.clear();
        it->seeded = true;
        it->querying = false;
        const QJsonObject current = snapshot(room, it->users);
        for (auto sub = it->subscribers.begin(); sub != it->subscribers.end(); ++sub) {
            if (sub->ready)
                continue;
            sub->ready = true;
            out.append({sub.key(), sub->nsp, QStringLiteral("presence:snapshot"), current});
        }
    }
    send(out);
}

bool PresenceEvents::unsubscribe(quint64 connectionId, const QString &room)
{
    QMutexLocker lock(&m_lock);
    const auto it = m_rooms.find(room);
    if (it == m_rooms.end() || !it->subscribers.remove(connectionId))
        return false;
    if (it->subscribers.isEmpty())
        m_rooms.erase(it); // no longer tracked here; a new subscriber asks for a snapshot
    const auto watcher = m_watchers.find(connectionId);
    if (watcher != m_watchers.end() && --watcher->subscriptions <= 0)
        m_watchers.erase(watcher);
    return true;
}

void PresenceEvents::connectionGone(quint64 connectionId)
{
    QMutexLocker lock(&m_lock);
    if (!m_watchers.remove(connectionId))
        return;
    for (auto it = m_rooms.begin(); it != m_rooms.end();) {
        it->subscribers.remove(connectionId);
        if (it->subscribers.isEmpty())
            it = m_rooms.erase(it);
        else
            ++it;
    }
}

void PresenceEvents::localChange(const QString &room, const QString &userId, bool joined)
{
    Q_UNUSED(joined); // decided under the registry's lock, maybe overtaken since (PresenceOrder)
    if (isWatchable(room))
        m_order.changed(room, userId);
}

int PresenceEvents::nodeLeaving()
{
    if (!isEnabled() || m_leaving.exchange(true))
        return 0;
    // Clients close after the node left the cluster, when nothing can be published any more:
    // their leaves go out now. Each user once per room, whatever their connections.
    const Registry &registry = m_server.registry();
    int published = 0;
    const QHash<QString, int> rooms = registry.roomCounts();
    for (auto room = rooms.cbegin(); room != rooms.cend(); ++room) {
        if (!isWatchable(room.key()))
            continue;
        QSet<QString> users;
        for (quint64 id : registry.roomMembers(room.key())) {
            if (const auto info = registry.connection(id))
                users.insert(info->userId);
        }
        for (const QString &userId : std::as_const(users)) {
            m_server.broker().publishPresence(room.key(), userId, false);
            ++published;
        }
    }
    return published;
}

void PresenceEvents::remoteChange(const QString &node, const QString &room, const QString &userId, bool joined)
{
    if (isWatchable(room))
        apply(node, room, userId, joined);
}

void PresenceEvents::apply(const QString &node, const QString &room, const QString &userId, bool joined)
{
    QList<Outgoing> out;
    {
        QMutexLocker lock(&m_lock);
        const auto it = m_rooms.find(room);
        if (it == m_rooms.end())
            return; // not watched here
        if (!it->seeded) {
            // The snapshot is being gathered (up to a second in a cluster): applied over it.
            // One entry per (user, node), so bounded by the connections in the cluster.
            it->duringQuery.insert({userId, node}, joined);
            return;
        }
        if (joined) {
            QSet<QString> &nodes = it->users[userId];
            const bool arrived = nodes.isEmpty();
            nodes.insert(node);
            if (arrived)
                queueLocked(*it, QStringLiteral("presence:join"), change(room, userId), &out);
        } else {
            const auto user = it->users.find(userId);
            if (user == it->users.end() || !user->remove(node))
                return;
            if (user->isEmpty()) {
                it->users.erase(user);
                queueLocked(*it, QStringLiteral("presence:leave"), change(room, userId), &out);
            }
        }
    }
    send(out);
}

void PresenceEvents::queueLocked(const Room &room, const QString &event, const QJsonObject &data, QList<Outgoing> *out)
{
    const qint64 now = Server::monotonicMs();
    for (auto sub = room.subscribers.cbegin(); sub != room.subscribers.cend(); ++sub) {
        if (!sub->ready)
            continue; // its snapshot, still to come, includes this change
        Watcher &watcher = m_watchers[sub.key()];
        if (!watcher.limiter.tryAcquire(now)) {
            ++m_dropped;
            if (!std::exchange(watcher.warned, true))
                qCInfo(lcWs) << "presence events to connection" << sub.key() << "over --presence-event-rate"
                             << m_server.config().presenceEventRate << "per second are dropped";
            continue;
        }
        out->append({sub.key(), sub->nsp, event, data});
    }
}

void PresenceEvents::send(const QList<Outgoing> &out)
{
    for (const Outgoing &o : out) {
        m_server.postToConnection(o.connectionId, [o](Connection *c) { c->sendPresence(o.nsp, o.event, o.data); });
    }
}

quint64 PresenceEvents::dropped() const
{
    QMutexLocker lock(&m_lock);
    return m_dropped;
}

} // namespace Switchboard

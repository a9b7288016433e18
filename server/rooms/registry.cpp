#include "registry.h"

#include "socketidroom.h"

namespace Switchboard {

void Registry::add(std::shared_ptr<ConnectionInfo> info, const QStringList &rooms, QStringList *firstOfUser)
{
    QWriteLocker lock(&m_lock);
    const quint64 id = info->id;
    m_users[info->userId].insert(id);
    QStringList &mine = m_roomsOf[id];
    for (const QString &room : rooms) {
        if (mine.contains(room))
            continue;
        if (firstOfUser && !userInRoomLocked(info->userId, room, id))
            firstOfUser->append(room);
        mine.append(room);
        m_rooms[room].insert(id);
    }
    m_connections.insert(id, std::move(info));
}

void Registry::remove(quint64 id, QStringList *lastOfUser)
{
    QWriteLocker lock(&m_lock);
    const auto info = m_connections.take(id);
    if (!info)
        return;
    auto users = m_users.find(info->userId);
    if (users != m_users.end()) {
        users->remove(id);
        if (users->isEmpty())
            m_users.erase(users);
    }
    for (const QString &room : m_roomsOf.take(id)) {
        auto it = m_rooms.find(room);
        if (it == m_rooms.end())
            continue;
        it->remove(id);
        if (it->isEmpty())
            m_rooms.erase(it);
        if (lastOfUser && !userInRoomLocked(info->userId, room, id))
            lastOfUser->append(room);
    }
}

bool Registry::join(quint64 id, const QString &room, bool *firstOfUser)
{
    QWriteLocker lock(&m_lock);
    const auto info = m_connections.value(id);
    if (!info)
        return false;
    QStringList &mine = m_roomsOf[id];
    const bool had = mine.contains(room);
    if (firstOfUser)
        *firstOfUser = !had && !userInRoomLocked(info->userId, room, id);
    if (!had)
        mine.append(room);
    m_rooms[room].insert(id);
    return true;
}

bool Registry::leave(quint64 id, const QString &room, bool *lastOfUser)
{
    QWriteLocker lock(&m_lock);
    auto mine = m_roomsOf.find(id);
    if (mine == m_roomsOf.end() || !mine->removeOne(room))
        return false;
    auto it = m_rooms.find(room);
    if (it != m_rooms.end()) {
        it->remove(id);
        if (it->isEmpty())
            m_rooms.erase(it);
    }
    if (lastOfUser) {
        const auto info = m_connections.value(id);
        *lastOfUser = info && !userInRoomLocked(info->userId, room, id);
    }
    return true;
}

bool Registry::userInRoomLocked(const QString &userId, const QString &room, quint64 except) const
{
    // A user holds few connections: walk them rather than the room's members.
    for (quint64 other : m_users.value(userId)) {
        if (other != except && m_roomsOf.value(other).contains(room))
            return true;
    }
    return false;
}

std::shared_ptr<ConnectionInfo> Registry::connection(quint64 id) const
{
    QReadLocker lock(&m_lock);
    return m_connections.value(id);
}

int Registry::workerOf(quint64 id) const
{
    QReadLocker lock(&m_lock);
    const auto info = m_connections.value(id);
    return info ? info->worker : -1;
}

int Registry::connectionCount() const
{
    QReadLocker lock(&m_lock);
    return int(m_connections.size());
}

int Registry::userCount() const
{
    QReadLocker lock(&m_lock);
    return int(m_users.size());
}

int Registry::roomCount() const
{
    QReadLocker lock(&m_lock);
    return int(m_rooms.size());
}

int Registry::roomSize(const QString &room) const
{
    QReadLocker lock(&m_lock);
    return int(m_rooms.value(room).size());
}

int Registry::countMembers(const QString &room, quint64 exceptConnection, const QString &exceptUser) const
{
    QReadLocker lock(&m_lock);
    const auto it = m_rooms.constFind(room);
    if (it == m_rooms.cend())
        return 0;
    // The common emit (a client's to its room, not back to itself) is counted without walking
    // the members: this runs on the emitting thread for every publish.
    if (exceptUser.isEmpty())
        return int(it->size()) - (exceptConnection != 0 && it->contains(exceptConnection) ? 1 : 0);
    int n = 0;
    for (quint64 id : *it) {
        if (id == exceptConnection)
            continue;
        if (!exceptUser.isEmpty()) {
            const auto info = m_connections.value(id);
            if (info && info->userId == exceptUser)
                continue;
        }
        ++n;
    }
    return n;
}

int Registry::countTargets(const QString &room, const QStringList &moreRooms, const QStringList &exceptRooms,
                           quint64 exceptConnection, const QString &exceptUser) const
{
    if (!room.isEmpty() && moreRooms.isEmpty() && exceptRooms.isEmpty() && !SocketIdRoom::isReserved(room))
        return countMembers(room, exceptConnection, exceptUser);
    QReadLocker lock(&m_lock);
    if (room.isEmpty() && exceptRooms.isEmpty()) {
        qsizetype n = m_connections.size();
        const auto user = m_users.constFind(exceptUser);
        if (!exceptUser.isEmpty() && user != m_users.cend())
            n -= user->size();
        const auto except = m_connections.constFind(exceptConnection);
        if (except != m_connections.cend() && (exceptUser.isEmpty() || (*except)->userId != exceptUser))
            --n;
        return int(qMax<qsizetype>(0, n));
    }
    return int(targetsLocked(room, moreRooms, exceptRooms, exceptConnection, exceptUser).size());
}

QSet<quint64> Registry::targetsLocked(const QString &room, const QStringList &moreRooms, const QStringList &exceptRooms,
                                      quint64 exceptConnection, const QString &exceptUser) const
{
    QSet<quint64> ids;
    if (room.isEmpty()) {
        for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it)
            ids.insert(it.key());
    } else {
        // A room named like a connection id is that connection (Socket.IO's socket rooms).
        auto add = [&](const QString &name) {
            if (const quint64 id = SocketIdRoom::connectionId(name)) {
                if (m_connections.contains(id))
                    ids.insert(id);
                return;
            }
            ids.unite(m_rooms.value(name));
        };
        add(room);
        for (const QString &more : moreRooms)
            add(more);
    }
    for (const QString &except : exceptRooms) {
        if (const quint64 id = SocketIdRoom::connectionId(except))
            ids.remove(id);
        else
            ids.subtract(m_rooms.value(except));
    }
    ids.remove(exceptConnection);
    if (!exceptUser.isEmpty())
        ids.subtract(m_users.value(exceptUser));
    return ids;
}

QList<QPair<quint64, QString>> Registry::listTargets(const QString &room, const QStringList &moreRooms,
                                                     const QStringList &exceptRooms, quint64 exceptConnection,
                                                     const QString &exceptUser, int max, int *more) const
{
    QReadLocker lock(&m_lock);
    const QSet<quint64> ids = targetsLocked(room, moreRooms, exceptRooms, exceptConnection, exceptUser);
    QList<QPair<quint64, QString>> list;
    list.reserve(qMin<qsizetype>(ids.size(), max));
    for (quint64 id : ids) {
        if (list.size() >= max)
            break;
        if (const auto info = m_connections.value(id))
            list.append({id, info->userId});
    }
    if (more)
        *more = int(ids.size() - list.size());
    return list;
}

int Registry::userConnectionCount(const QString &userId) const
{
    QReadLocker lock(&m_lock);
    return int(m_users.value(userId).size());
}

bool Registry::isMember(quint64 id, const QString &room) const
{
    QReadLocker lock(&m_lock);
    return m_roomsOf.value(id).contains(room);
}

bool Registry::userInRoom(const QString &userId, const QString &room) const
{
    QReadLocker lock(&m_lock);
    return userInRoomLocked(userId, room, 0);
}

ConnectionSnapshot Registry::snapshotLocked(const ConnectionInfo &info) const
{
    ConnectionSnapshot s;
    s.id = info.id;
    s.userId = info.userId;
    s.role = info.role;
    s.address = info.address;
    s.protocol = info.protocol;
    s.transport = info.transport.load(std::memory_order_relaxed) == 1 ? QStringLiteral("polling") : QStringLiteral("websocket");
    s.connectedAtMs = info.connectedAtMs;
    s.lastActivityMs = info.lastActivityMs.load(std::memory_order_relaxed);
    s.messagesIn = info.messagesIn.load(std::memory_order_relaxed);
    s.messagesOut = info.messagesOut.load(std::memory_order_relaxed);
    s.bytesIn = info.bytesIn.load(std::memory_order_relaxed);
    s.bytesOut = info.bytesOut.load(std::memory_order_relaxed);
    s.pendingBytes = info.pendingBytes.load(std::memory_order_relaxed);
    s.worker = info.worker;
    s.rooms = m_roomsOf.value(info.id);
    s.rooms.sort();
    return s;
}

QList<ConnectionSnapshot> Registry::connections() const
{
    QReadLocker lock(&m_lock);
    QList<ConnectionSnapshot> out;
    out.reserve(m_connections.size());
    for (const auto &info : m_connections)
        out.append(snapshotLocked(*info));
    return out;
}

std::optional<ConnectionSnapshot> Registry::snapshot(quint64 id) const
{
    QReadLocker lock(&m_lock);
    const auto info = m_connections.value(id);
    if (!info)
        return std::nullopt;
    return snapshotLocked(*info);
}

QHash<QString, int> Registry::roomCounts() const
{
    QReadLocker lock(&m_lock);
    QHash<QString, int> out;
    out.reserve(m_rooms.size());
    for (auto it = m_rooms.cbegin(); it != m_rooms.cend(); ++it)
        out.insert(it.key(), int(it->size()));
    return out;
}

QList<quint64> Registry::roomMembers(const QString &room) const
{
    QReadLocker lock(&m_lock);
    return m_rooms.value(room).values();
}

QHash<QString, int> Registry::users() const
{
    QReadLocker lock(&m_lock);
    QHash<QString, int> out;
    out.reserve(m_users.size());
    for (auto it = m_users.cbegin(); it != m_users.cend(); ++it)
        out.insert(it.key(), int(it->size()));
    return out;
}

QList<quint64> Registry::connectionIds() const
{
    QReadLocker lock(&m_lock);
    return m_connections.keys();
}

QList<quint64> Registry::userConnections(const QString &userId) const
{
    QReadLocker lock(&m_lock);
    return m_users.value(userId).values();
}

QStringList Registry::roomsOf(quint64 id) const
{
    QReadLocker lock(&m_lock);
    return m_roomsOf.value(id);
}

} // namespace Switchboard

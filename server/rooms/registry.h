#pragma once

#include <atomic>
#include <memory>

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QReadWriteLock>
#include <QtCore/QSet>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Switchboard {

/**
 * @brief What the rest of the server may know about one live connection. Identity is fixed
 * at accept; counters are atomics written by the owning I/O thread and read by anyone.
 */
struct ConnectionInfo
{
    quint64 id = 0;
    QString userId;
    QString role;
    QString address;
    QString protocol = QStringLiteral("json"); // "json" (native) or "socket.io"
    qint64 connectedAtMs = 0;
    /// 0 = WebSocket, 1 = HTTP long-polling (a Socket.IO session may upgrade from 1 to 0).
    std::atomic<int> transport{0};
    int worker = 0;
    std::atomic<qint64> lastActivityMs{0};
    std::atomic<quint64> messagesIn{0};
    std::atomic<quint64> messagesOut{0};
    std::atomic<quint64> bytesIn{0};
    std::atomic<quint64> bytesOut{0};
    std::atomic<qint64> pendingBytes{0};
};

/// A copy of one connection's state at one moment.
struct ConnectionSnapshot
{
    quint64 id = 0;
    QString userId;
    QString role;
    QString address;
    QString protocol;
    QString transport;  // "websocket" or "polling"
    qint64 connectedAtMs = 0;
    qint64 lastActivityMs = 0;
    QStringList rooms;
    quint64 messagesIn = 0;
    quint64 messagesOut = 0;
    quint64 bytesIn = 0;
    quint64 bytesOut = 0;
    qint64 pendingBytes = 0;
    int worker = 0;
};

/**
 * @brief Process-wide view of connections, users and rooms, shared by every I/O thread.
 *
 * Membership changes (connect, subscribe, disconnect) take the write lock; stats and emit
 * counting take the read lock. The per-message fan-out does not touch it: each I/O thread
 * keeps its own room index of the sockets it owns.
 */
class Registry final
{
public:
    /// @p firstOfUser / @p lastOfUser (when given) get the rooms where this connection is
    /// the user's first to arrive / was the last to go (presence events).
    void add(std::shared_ptr<ConnectionInfo> info, const QStringList &rooms, QStringList *firstOfUser = nullptr);
    void remove(quint64 id, QStringList *lastOfUser = nullptr);
    bool join(quint64 id, const QString &room, bool *firstOfUser = nullptr);
    bool leave(quint64 id, const QString &room, bool *lastOfUser = nullptr);

    std::shared_ptr<ConnectionInfo> connection(quint64 id) const;
    int workerOf(quint64 id) const; // -1 when unknown

    int connectionCount() const;
    int userCount() const;
    int roomCount() const;
    int roomSize(const QString &room) const;
    /// Members of @p room minus @p exceptConnection and @p exceptUser's connections, counted
    /// under the lock without copying the member set.
    int countMembers(const QString &room, quint64 exceptConnection, const QString &exceptUser) const;
    /// The sockets an emit reaches: those in @p room or any of @p moreRooms (every connection
    /// when @p room is empty) and in none of @p exceptRooms, less @p exceptConnection and
    /// @p exceptUser's. A single room or everyone, without except rooms, is counted without
    /// copying a member set.
    int countTargets(const QString &room, const QStringList &moreRooms, const QStringList &exceptRooms,
                     quint64 exceptConnection, const QString &exceptUser) const;
    /// The sockets countTargets() counts, as (connection id, user id), at most @p max of
    /// them; @p more gets how many were left out.
    static constexpr int kMaxListedTargets = 10000;
    QList<QPair<quint64, QString>> listTargets(const QString &room, const QStringList &moreRooms,
                                               const QStringList &exceptRooms, quint64 exceptConnection,
                                               const QString &exceptUser, int max, int *more) const;
    int userConnectionCount(const QString &userId) const;
    bool isMember(quint64 id, const QString &room) const;
    /// Whether any connection of @p userId is in @p room now (presence: the truth a change
    /// is published as, whatever order the threads that changed it come in).
    bool userInRoom(const QString &userId, const QString &room) const;

    QList<ConnectionSnapshot> connections() const;
    QList<quint64> connectionIds() const;
    std::optional<ConnectionSnapshot> snapshot(quint64 id) const;
    QHash<QString, int> roomCounts() const;
    QList<quint64> roomMembers(const QString &room) const;
    QHash<QString, int> users() const; // userId -> connection count
    QList<quint64> userConnections(const QString &userId) const;
    QStringList roomsOf(quint64 id) const;

private:
    /// Under the lock: the sockets countTargets() and listTargets() describe.
    QSet<quint64> targetsLocked(const QString &room, const QStringList &moreRooms, const QStringList &exceptRooms,
                                quint64 exceptConnection, const QString &exceptUser) const;
    /// Under the lock: whether @p userId has a connection other than @p except in @p room.
    bool userInRoomLocked(const QString &userId, const QString &room, quint64 except) const;
    ConnectionSnapshot snapshotLocked(const ConnectionInfo &info) const;

    mutable QReadWriteLock m_lock;
    QHash<quint64, std::shared_ptr<ConnectionInfo>> m_connections;
    // A list, not a set: a connection is in few rooms (at most --max-rooms-per-connection), and
    // an empty QSet in Qt 6.4 allocates 48 entries at its first insert (1.2 KiB per connection).
    QHash<quint64, QStringList> m_roomsOf;
    QHash<QString, QSet<quint64>> m_rooms;
    QHash<QString, QSet<quint64>> m_users;
};

} // namespace Switchboard

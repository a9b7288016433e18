#pragma once

#include <atomic>

#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QObject>
#include <QtCore/QSet>
#include <QtCore/QTimer>

#include "cluster/redislink.h"
#include "queue/offlinestore.h"

namespace Switchboard {

/**
 * @brief The cluster's OfflineStore (--redis): persisted events in Redis, delivered on
 * whichever node the user connects to (docs/cluster.md, "Offline events").
 *
 * Per user, a sorted set of event ids, a hash id -> frame, a hash id -> lease
 * ("<connection id>:<expiry ms>", Redis' clock) and the byte count. Storing, taking, renewing,
 * releasing and acking each run as one Lua script, so no two connections of the cluster ever
 * hold one event at once and bounds are enforced in the same step as the write.
 *
 * A lease lasts --offline-lease ms and is renewed every third of that while its connection
 * lives; a node that dies (kill -9) stops renewing, and the events go to another connection of
 * the user once the lease has run out. Every node keeps its own live connections that asked
 * (take()) and asks again for them when another node stored or released an event for their
 * user (PUBLISH <key>:sb:offline), and when a lease held elsewhere runs out.
 *
 * Everything goes through its own RedisLink (its thread): nothing here blocks an I/O thread.
 * The renewal timer lives in the thread that created the store (the server's).
 */
class RedisOfflineStore final : public QObject, public OfflineStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisOfflineStore)

public:
    RedisOfflineStore(const RedisUrl &url, const QString &key, int leaseMs, QObject *parent = nullptr);
    ~RedisOfflineStore() override;

    /// Starts the link (returns at once; Redis may still be out of reach).
    void open();
    void close() override;
    bool isOpen() const override { return m_open.load(std::memory_order_acquire); }
    bool isShared() const override { return true; }

    void store(const QString &userId, const QString &frame, const Limits &limits,
               std::function<void(const Stored &)> done) override;
    void take(const QString &userId, quint64 connectionId, std::function<void(const QList<Pending> &)> done) override;
    void remove(const QString &userId, qint64 rowId, std::function<void(bool removed)> done = {}) override;
    void release(const QString &userId, quint64 connectionId) override;
    int pendingCount(const QString &userId = {}) override;

private:
    struct Waiter
    {
        QString userId;
        std::function<void(const QList<Pending> &)> done;
        QSet<qint64> held;        // leased to this connection, not acked yet
        qint64 retryAtMs = 0;     // 0: nothing to ask again for
        bool asking = false;      // a take is on its way
        bool again = false;       // ... and something new came meanwhile: ask once more
    };

    /// Runs the take script for connection @p connectionId (any thread).
    void takeFor(quint64 connectionId);
    void taken(quint64 connectionId, const QString &userId, const RedisReply &reply);
    /// Renews the leases of live connections and asks again where a lease held elsewhere has
    /// run out (the server's thread).
    void tick();
    void notifyUser(const QString &userId);
    void onMessage(const QByteArray &channel, const QByteArray &payload);
    void script(const QByteArray &text, QList<QByteArray> keysAndArgs, int keyCount, RedisLink::Done done = {});
    QByteArray userKey(const QString &userId, const char *part) const;
    QByteArray noticeChannel() const;

    RedisLink m_link;
    const QString m_key;
    const int m_leaseMs;
    QTimer m_tick;
    std::atomic<bool> m_open{false};
    std::atomic<qint64> m_lastTakeWarningMs{0};

    QMutex m_lock;
    QHash<quint64, Waiter> m_waiters;            // this node's live connections that asked
    QHash<QString, QSet<quint64>> m_byUser;      // user -> their connections in m_waiters
};

} // namespace Switchboard

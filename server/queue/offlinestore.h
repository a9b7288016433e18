#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QMutex>
#include <QtCore/QSet>
#include <QtCore/QString>
#include <QtCore/QThread>

namespace Switchboard {

class Mailbox;

/**
 * @brief Events emitted with "persist": true for a user who had no connection, kept in SQLite
 * (WAL) in the data dir and handed to the user's next connection.
 *
 * Every query runs on the store's own thread ("switchboard-offline"), never on an I/O thread:
 * a database that is busy (another process holds its lock; SQLite waits up to 5 s) delays
 * only offline deliveries, not the sockets. Callers ask and are answered by callbacks that
 * run on the store's thread; they hop to their own thread themselves (Mailbox).
 *
 * A stored event stays until the client acknowledges it: take() leases the user's waiting
 * events to one connection (another connection of the same user does not get them twice),
 * remove() deletes one on its ack, and release() hands the unacknowledged ones back when that
 * connection closes. The leases live on the store's thread; the only lock is a small one
 * around the set of users with stored events, never held across a query.
 */
class OfflineStore final
{
    Q_DISABLE_COPY_MOVE(OfflineStore)

public:
    struct Pending
    {
        qint64 rowId = 0;
        QString frame;
    };
    struct Stored
    {
        bool ok = false;
        int dropped = 0;    // the user's oldest, deleted over the per-user bound
        QString error;
    };

    OfflineStore();
    ~OfflineStore();

    /// Starts the store's thread and opens @p path there; waits for it (server start only).
    bool open(const QString &path, QString *error);
    /// Runs everything asked before, closes the database and joins the thread.
    void close();
    bool isOpen() const { return m_open.load(std::memory_order_acquire); }

    // ---- asynchronous, any thread; callbacks run on the store's thread -------------------
    /// Keeps @p frame for @p userId (beyond @p maxPerUser the user's oldest are deleted);
    /// @p done gets the outcome once committed or failed (on the calling thread, at once,
    /// when the store is not open).
    void store(const QString &userId, const QString &frame, int maxPerUser, std::function<void(const Stored &)> done);
    /// Leases the user's waiting frames that no other connection holds to @p connectionId and
    /// hands them, oldest first, to @p done; not called when there are none.
    void take(const QString &userId, quint64 connectionId, std::function<void(const QList<Pending> &)> done);
    /// Deletes one acknowledged frame; @p done (optional) learns whether it was there.
    void remove(qint64 rowId, std::function<void(bool removed)> done = {});
    /// Returns @p connectionId's unacknowledged frames to the store.
    void release(quint64 connectionId);

    // ---- blocking: tests and tools only, never from an I/O thread or the GUI thread ------
    int pendingCount(const QString &userId = {});

private:
    /// Runs @p task on the store's thread (directly when already there); false when closed.
    bool run(std::function<void()> task);
    // The store's thread only.
    Stored storeNow(const QString &userId, const QString &frame, int maxPerUser);
    QList<Pending> takeNow(const QString &userId, quint64 connectionId);
    bool removeNow(qint64 rowId);
    int countNow(const QString &userId);

    QThread m_thread;
    QObject *m_executor = nullptr;        // lives in m_thread while open
    std::shared_ptr<Mailbox> m_mailbox;   // posts to m_executor; closed first by close()
    std::atomic<bool> m_open{false};
    QString m_path;
    QString m_connectionName;
    QHash<qint64, quint64> m_leases;      // row -> connection it was sent to (store's thread)
    // Users who may have stored events: take() does not even ask the store's thread for
    // anyone else, which is almost every connect.
    QMutex m_usersMutex;
    QSet<QString> m_usersWithEvents;
};

} // namespace Switchboard

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

#include "queue/offlinestore.h"

namespace Switchboard {

class Mailbox;

/**
 * @brief The single-node OfflineStore: persisted events kept in SQLite (WAL) in the data dir
 * (switchboard.db).
 *
 * Every query runs on the store's own thread ("switchboard-offline"), never on an I/O thread:
 * a database that is busy (another process holds its lock; SQLite waits up to 5 s) delays
 * only offline deliveries, not the sockets. Callers ask and are answered by callbacks that
 * run on the store's thread; they hop to their own thread themselves (Mailbox).
 *
 * The leases live on the store's thread; the only lock is a small one around the set of
 * users with stored events, never held across a query.
 */
class SqliteOfflineStore final : public OfflineStore
{
    Q_DISABLE_COPY_MOVE(SqliteOfflineStore)

public:
    SqliteOfflineStore();
    ~SqliteOfflineStore() override;

    /// Starts the store's thread and opens @p path there; waits for it (server start only).
    bool open(const QString &path, QString *error);
    void close() override;
    bool isOpen() const override { return m_open.load(std::memory_order_acquire); }

    void store(const QString &userId, const QString &frame, const Limits &limits,
               std::function<void(const Stored &)> done) override;
    void take(const QString &userId, quint64 connectionId, std::function<void(const QList<Pending> &)> done) override;
    void remove(const QString &userId, qint64 rowId, std::function<void(bool removed)> done = {}) override;
    void release(const QString &userId, quint64 connectionId) override;
    int pendingCount(const QString &userId = {}) override;

private:
    /// Runs @p task on the store's thread (directly when already there); false when closed.
    bool run(std::function<void()> task);
    // The store's thread only.
    Stored storeNow(const QString &userId, const QString &frame, const Limits &limits);
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

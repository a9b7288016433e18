#pragma once

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QMutex>
#include <QtCore/QSet>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Switchboard {

/**
 * @brief Events emitted with "persist": true for a user who had no connection, kept in SQLite
 * (WAL) in the data dir and handed to the user's next connection.
 *
 * A store() returns only after the row is committed. A stored event stays until the client
 * acknowledges it: take() leases the user's waiting events to one connection (another
 * connection of the same user does not get them twice), remove() deletes one on its ack, and
 * release() hands the unacknowledged ones back when that connection closes. Each thread that
 * touches the store gets its own SQLite connection (Qt SQL connections are per thread).
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

    OfflineStore() = default;
    ~OfflineStore();

    bool open(const QString &path, QString *error);
    void close();
    bool isOpen() const { return !m_path.isEmpty(); }

    /// Keeps @p frame for @p userId; beyond @p maxPerUser the user's oldest are deleted and
    /// counted in @p dropped. False (with @p error) when it could not be committed.
    bool store(const QString &userId, const QString &frame, int maxPerUser, int *dropped, QString *error);
    /// The user's waiting frames not leased to another connection, oldest first, now leased
    /// to @p connectionId.
    QList<Pending> take(const QString &userId, quint64 connectionId);
    /// Deletes one acknowledged frame. False when it was not there.
    bool remove(qint64 rowId);
    /// Returns @p connectionId's unacknowledged frames to the store.
    void release(quint64 connectionId);
    int pendingCount(const QString &userId = {});

private:
    QString connectionName();

    QString m_path;
    QString m_prefix;
    QMutex m_namesMutex;
    QStringList m_names;
    QMutex m_leaseMutex;
    QHash<qint64, quint64> m_leases; // row -> connection it was sent to
    // Users who may have stored events: take() skips SQLite for everyone else, which is
    // almost every connect (it was a fifth of the CPU of a connection storm).
    QSet<QString> m_usersWithEvents;
};

} // namespace Switchboard

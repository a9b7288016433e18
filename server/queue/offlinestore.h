#pragma once

#include <QtCore/QMutex>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Switchboard {

/**
 * @brief Events emitted with "persist": true for a user who had no connection, kept in SQLite
 * (WAL) in the data dir and handed to the user's next connection.
 *
 * A store() returns only after the row is committed. Each thread that touches the store gets
 * its own SQLite connection (Qt SQL connections are per thread).
 */
class OfflineStore final
{
    Q_DISABLE_COPY_MOVE(OfflineStore)

public:
    static constexpr int kMaxPerUser = 1000;

    OfflineStore() = default;
    ~OfflineStore();

    bool open(const QString &path, QString *error);
    void close();
    bool isOpen() const { return !m_path.isEmpty(); }

    /// Keeps @p frame for @p userId. False (with @p error) when it could not be committed or
    /// the user already has kMaxPerUser waiting.
    bool store(const QString &userId, const QString &frame, QString *error);
    /// Removes and returns the user's waiting frames, oldest first.
    QStringList take(const QString &userId);
    int pendingCount(const QString &userId = {});

private:
    QString connectionName();

    QString m_path;
    QString m_prefix;
    QMutex m_namesMutex;
    QStringList m_names;
};

} // namespace Switchboard

#pragma once

#include <atomic>
#include <deque>

#include <QtCore/QJsonObject>
#include <QtCore/QMutex>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QWaitCondition>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace Switchboard {

/**
 * @brief The headless audit trail (--log-connections; docs/hooks.md, "Audit trail"):
 * connects, disconnects (code, reason), joins and leaves at info level in the
 * switchboard.connections category, as text or as JSON lines.
 *
 * The I/O threads only queue a record (a short lock, no I/O); a thread of its own writes
 * them. The queue is bounded in bytes: records beyond it are dropped and counted, and the
 * writer says how many were lost. Off (the default), every call returns at once.
 */
class ConnectionLog final
{
    Q_DISABLE_COPY_MOVE(ConnectionLog)

public:
    /// @p format: empty (off), "text" or "json".
    explicit ConnectionLog(const QString &format);
    ~ConnectionLog();

    bool isEnabled() const { return m_enabled; }
    void connected(quint64 id, const QString &userId, const QString &protocol, const QString &address,
                   const QStringList &rooms);
    void disconnected(quint64 id, const QString &userId, int code, const QString &reason);
    void joined(quint64 id, const QString &userId, const QString &room);
    void left(quint64 id, const QString &userId, const QString &room);
    quint64 dropped() const { return m_dropped.load(std::memory_order_relaxed); }

    /// Queued records are bounded by this many bytes (about 20,000 records).
    static constexpr qint64 kMaxQueuedBytes = 4 << 20;

private:
    void push(QJsonObject record);
    void run();
    void write(const QJsonObject &record) const;

    const bool m_enabled;
    const bool m_json;
    QThread *m_thread = nullptr;
    QMutex m_lock;
    QWaitCondition m_wake;
    std::deque<std::pair<QJsonObject, qint64>> m_queue; // record, its bytes
    qint64 m_queuedBytes = 0;
    bool m_stopping = false;
    std::atomic<quint64> m_dropped{0};
    quint64 m_reportedDrops = 0; // writer thread only
};

} // namespace Switchboard

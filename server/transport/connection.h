#pragma once

#include <memory>

#include <QtCore/QJsonObject>
#include <QtCore/QObject>
#include <QtCore/QHash>
#include <QtCore/QSet>

#include "protocol/ratelimiter.h"

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace Switchboard {

class IoWorker;
class Server;
struct ConnectionInfo;

/**
 * @brief One authenticated WebSocket client speaking the native JSON protocol.
 *
 * Owned by its IoWorker and used only on that worker's thread.
 */
class Connection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Connection)

public:
    Connection(IoWorker &worker, Server &server, std::unique_ptr<QWebSocket> socket,
               std::shared_ptr<ConnectionInfo> info, const QStringList &rooms);
    ~Connection() override;

    quint64 id() const;
    const QString &userId() const;
    const ConnectionInfo &info() const { return *m_info; }
    const QSet<QString> &rooms() const { return m_rooms; }

    /// Queues a text frame unless the peer is too far behind (then it is dropped as slow).
    bool send(const QString &text);
    void close(int code, const QString &reason);
    void abort();
    bool isClosing() const { return m_closingSinceMs != 0; }

    /// Sends a queue job and remembers it, so the client's ack/nack goes to the queue.
    void sendJob(const QString &queue, qint64 id, const QString &frame);

    bool join(const QString &room);
    bool leave(const QString &room);

    /// Heartbeat bookkeeping, called by the worker's single sweep timer.
    void heartbeat(qint64 nowMs, qint64 intervalMs, qint64 timeoutMs);

private:
    void onText(const QString &message);
    void onDisconnected();
    void handle(const QJsonObject &message);
    void handleSubscribe(const QJsonObject &message, bool subscribe);
    void handleEmit(const QJsonObject &message);
    void handleConsume(const QJsonObject &message, bool consume);
    void handleSettle(const QString &type, const QJsonObject &message);
    bool isSettlingHeldWork(const QJsonObject &message) const;
    void sendConnected();

    IoWorker &m_worker;
    Server &m_server;
    std::unique_ptr<QWebSocket> m_socket;
    std::shared_ptr<ConnectionInfo> m_info;
    QSet<QString> m_rooms;
    QSet<QString> m_consuming;        // queues this connection consumes
    QHash<qint64, QString> m_jobs;    // jobs it holds: id -> queue
    QHash<QString, qint64> m_offline; // persisted events sent and not yet acked: event id -> row
    RateLimiter m_limiter;
    qint64 m_lastSeenMs = 0;
    qint64 m_lastPingMs = 0;
    qint64 m_closingSinceMs = 0;
    int m_closeCode = 0;
    bool m_gone = false;
};

} // namespace Switchboard

#pragma once

#include <atomic>
#include <functional>
#include <memory>

#include <QtCore/QHash>
#include <QtCore/QObject>
#include <QtCore/QSet>
#include <QtCore/QTimer>

QT_BEGIN_NAMESPACE
class QWebSocket;
QT_END_NAMESPACE

namespace Switchboard {

class Connection;
class GuardedTcpServer;
class HttpFront;
class Router;
class Server;

/// One server-originated frame on its way to many sockets: built once, shared by all.
struct OutboundFrame
{
    QString text;
    qint64 emittedNs = 0;
    quint64 exceptConnectionId = 0;
    QString exceptUserId;
};

/**
 * @brief One I/O thread's worth of server: its own listener on the shared port, its HTTP
 * front, the sockets it accepted, and a room index of just those sockets.
 *
 * Lives in (and is only touched from) its QThread; other threads talk to it with post().
 */
class IoWorker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IoWorker)

public:
    IoWorker(Server &server, const Router &router, int index, qintptr listenDescriptor);
    ~IoWorker() override;

    int index() const { return m_index; }

    /// Runs @p task on this worker's thread.
    void post(std::function<void()> task);
    /// Tasks posted and not yet run: the emit backlog of this thread.
    int queued() const { return m_queued.load(std::memory_order_relaxed); }

    // Worker thread only.
    void start();
    void shutdown(int code, const QString &reason);
    void deliverToRoom(const QString &room, const std::shared_ptr<const OutboundFrame> &frame);
    void deliverToAll(const std::shared_ptr<const OutboundFrame> &frame);
    void deliverToConnection(quint64 id, const std::shared_ptr<const OutboundFrame> &frame);
    Connection *connection(quint64 id) const { return m_connections.value(id); }
    void indexJoin(Connection *connection, const QString &room);
    void indexLeave(Connection *connection, const QString &room);
    void connectionClosed(Connection *connection);

Q_SIGNALS:
    /// Every client is gone after shutdown(); the thread may quit.
    void drained();

private:
    void acceptPending();
    void accept(std::unique_ptr<QWebSocket> socket);
    void reject(std::unique_ptr<QWebSocket> socket, int code, const QString &reason);
    void sweep();
    void deliver(Connection *connection, const OutboundFrame &frame);

    Server &m_server;
    const Router &m_router;
    const int m_index;
    qintptr m_listenDescriptor;
    HttpFront *m_http = nullptr;
    GuardedTcpServer *m_tcp = nullptr;
    QHash<quint64, Connection *> m_connections;
    QHash<QString, QSet<Connection *>> m_rooms;
    QTimer m_sweepTimer;
    bool m_shuttingDown = false;
    std::atomic<int> m_queued{0};
};

} // namespace Switchboard

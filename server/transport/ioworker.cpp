#include "ioworker.h"

#include <QtCore/QDateTime>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QNetworkRequest>
#include <QtWebSockets/QWebSocket>

#include "auth/jwt.h"
#include "connection.h"
#include "core/logging.h"
#include "http/httpfront.h"
#include "listener.h"
#include "protocol/messages.h"
#include "server.h"

namespace Switchboard {

IoWorker::IoWorker(Server &server, const Router &router, int index, qintptr listenDescriptor)
    : m_server(server), m_router(router), m_index(index), m_listenDescriptor(listenDescriptor)
{
    m_sweepTimer.setParent(this);
}

IoWorker::~IoWorker()
{
    if (m_listenDescriptor >= 0)
        closeDescriptor(m_listenDescriptor);
}

void IoWorker::post(std::function<void()> task)
{
    m_queued.fetch_add(1, std::memory_order_relaxed);
    QMetaObject::invokeMethod(this, [this, task = std::move(task)] {
        m_queued.fetch_sub(1, std::memory_order_relaxed);
        task();
    }, Qt::QueuedConnection);
}

void IoWorker::start()
{
    m_http = new HttpFront(m_router, m_server, this);
    m_tcp = new GuardedTcpServer;
    if (!m_tcp->setSocketDescriptor(m_listenDescriptor)) {
        qCCritical(lcServer) << "I/O thread" << m_index << "cannot adopt its listener:" << m_tcp->errorString();
        delete m_tcp;
        m_tcp = nullptr;
        return;
    }
    m_listenDescriptor = -1; // the QTcpServer owns it now
    m_http->bind(m_tcp);
    connect(m_http, &HttpFront::newWebSocketConnection, this, &IoWorker::acceptPending);
    connect(m_http, &HttpFront::requestReceived, m_tcp, &GuardedTcpServer::requestReceived);

    const ServerConfig &config = m_server.config();
    const int period = qBound(20, qMin(config.heartbeatIntervalMs, config.heartbeatTimeoutMs) / 4, 1000);
    m_sweepTimer.setInterval(qMin(period, qMax(20, config.handshakeTimeoutMs / 2)));
    connect(&m_sweepTimer, &QTimer::timeout, this, &IoWorker::sweep);
    m_sweepTimer.start();
}

void IoWorker::acceptPending()
{
    while (m_http->hasPendingWebSocketConnections())
        accept(m_http->nextPendingWebSocketConnection());
}

void IoWorker::reject(std::unique_ptr<QWebSocket> socket, int code, const QString &reason)
{
    QWebSocket *raw = socket.release();
    raw->setParent(this);
    connect(raw, &QWebSocket::disconnected, raw, &QObject::deleteLater);
    // A peer that never completes the close handshake is cut off; the timer dies with raw.
    QTimer::singleShot(2000, raw, [raw] { raw->abort(); raw->deleteLater(); });
    m_server.metrics().countClose(code);
    // Closed on the next turn of the event loop: QtWebSockets 6.4 still has a queued
    // handshake callback for this socket that peeks at it ("QIODevice::peek: device not
    // open" on every refused client otherwise).
    QMetaObject::invokeMethod(raw, [raw, code, reason] {
        raw->close(QWebSocketProtocol::CloseCode(code), reason.left(100));
    }, Qt::QueuedConnection);
}

void IoWorker::accept(std::unique_ptr<QWebSocket> socket)
{
    if (!socket)
        return;
    const ServerConfig &config = m_server.config();
    Metrics &metrics = m_server.metrics();
    const QString address = socket->peerAddress().toString() + QLatin1Char(':') + QString::number(socket->peerPort());
    if (m_shuttingDown) {
        reject(std::move(socket), Protocol::GoingAway, QStringLiteral("server shutting down"));
        return;
    }
    if (metrics.connectionsCurrent.fetch_add(1, std::memory_order_relaxed) >= config.maxConnections) {
        metrics.connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
        qCInfo(lcWs) << "server full, refusing" << address;
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("refused"), QString(), QString(), 0,
                                   QStringLiteral("server full (%1 connections)").arg(config.maxConnections));
        reject(std::move(socket), Protocol::TryAgainLater, QStringLiteral("server full, try again later"));
        return;
    }
    auto refuse = [&](int code, const QString &reason) {
        metrics.connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
        metrics.authFailures.fetch_add(1, std::memory_order_relaxed);
        qCInfo(lcAuth).noquote() << "refused" << address << "with" << code << reason;
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("auth_failure"), QString(), QString(), 0,
                                   QStringLiteral("%1 %2 from %3").arg(code).arg(reason, address));
        reject(std::move(socket), code, reason);
    };

    const QUrlQuery query(socket->requestUrl());
    QByteArray token = query.queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
    if (token.isEmpty()) {
        const QByteArray authorization = socket->request().rawHeader("Authorization");
        if (authorization.left(7).compare("Bearer ", Qt::CaseInsensitive) == 0)
            token = authorization.mid(7).trimmed();
    }
    if (token.isEmpty()) {
        refuse(Protocol::MissingCredentials, QStringLiteral("missing credentials"));
        return;
    }
    const Jwt::Result jwt = Jwt::verify(token, m_server.jwtSecret(), config.jwtLeewaySeconds);
    if (!jwt.ok()) {
        refuse(Protocol::InvalidToken, jwt.message);
        return;
    }
    const QString claimedUser = query.queryItemValue(QStringLiteral("userId"), QUrl::FullyDecoded);
    if (!claimedUser.isEmpty() && claimedUser != jwt.userId) {
        refuse(Protocol::UserMismatch, QStringLiteral("userId does not match the token"));
        return;
    }

    socket->setMaxAllowedIncomingMessageSize(quint64(config.maxMessageSize));
    socket->setMaxAllowedIncomingFrameSize(quint64(config.maxMessageSize));

    auto info = std::make_shared<ConnectionInfo>();
    info->id = m_server.nextConnectionId();
    info->userId = jwt.userId;
    info->role = jwt.claims.value(QLatin1String("role")).toString();
    info->address = address;
    info->connectedAtMs = QDateTime::currentMSecsSinceEpoch();
    info->worker = m_index;
    const QStringList rooms = m_server.roomPolicy().roomsForClaims(jwt.userId, jwt.claims);

    metrics.connectionsTotal.fetch_add(1, std::memory_order_relaxed);
    auto *connection = new Connection(*this, m_server, std::move(socket), info, rooms);
    m_connections.insert(info->id, connection);
    m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("connect"), QString(), info->userId,
                               info->id, address);
    qCDebug(lcWs) << "connection" << info->id << "user" << info->userId << "from" << address << "on thread" << m_index;
}

void IoWorker::indexJoin(Connection *connection, const QString &room)
{
    m_rooms[room].insert(connection);
}

void IoWorker::indexLeave(Connection *connection, const QString &room)
{
    auto it = m_rooms.find(room);
    if (it == m_rooms.end())
        return;
    it->remove(connection);
    if (it->isEmpty())
        m_rooms.erase(it);
}

void IoWorker::connectionClosed(Connection *connection)
{
    m_connections.remove(connection->id());
    connection->deleteLater();
    if (m_shuttingDown && m_connections.isEmpty())
        Q_EMIT drained();
}

void IoWorker::deliver(Connection *connection, const OutboundFrame &frame)
{
    if (connection->id() == frame.exceptConnectionId
        || (!frame.exceptUserId.isEmpty() && connection->userId() == frame.exceptUserId))
        return;
    if (connection->send(frame.text))
        m_server.metrics().latency.record((Server::monotonicNs() - frame.emittedNs) / 1000);
}

void IoWorker::deliverToRoom(const QString &room, const std::shared_ptr<const OutboundFrame> &frame)
{
    const auto it = m_rooms.constFind(room);
    if (it == m_rooms.cend())
        return;
    // A copy of the implicitly shared set: free unless a send drops a member mid-loop.
    const QSet<Connection *> members = *it;
    for (Connection *connection : members)
        deliver(connection, *frame);
}

void IoWorker::deliverToAll(const std::shared_ptr<const OutboundFrame> &frame)
{
    const auto connections = m_connections;
    for (Connection *connection : connections)
        deliver(connection, *frame);
}

void IoWorker::deliverToConnection(quint64 id, const std::shared_ptr<const OutboundFrame> &frame)
{
    if (Connection *connection = m_connections.value(id))
        deliver(connection, *frame);
}

void IoWorker::sweep()
{
    const ServerConfig &config = m_server.config();
    const qint64 now = Server::monotonicMs();
    const auto connections = m_connections;
    for (Connection *connection : connections)
        connection->heartbeat(now, config.heartbeatIntervalMs, config.heartbeatTimeoutMs);
    if (m_tcp) {
        if (const int closed = m_tcp->closeSilent(now, config.handshakeTimeoutMs))
            qCDebug(lcHttp) << "closed" << closed << "sockets that sent nothing within the handshake timeout";
    }
}

void IoWorker::shutdown(int code, const QString &reason)
{
    m_shuttingDown = true;
    if (m_tcp)
        m_tcp->close();
    if (m_connections.isEmpty()) {
        Q_EMIT drained();
        return;
    }
    const auto connections = m_connections;
    for (Connection *connection : connections)
        connection->close(code, reason);
}

} // namespace Switchboard

#pragma once

// Socket.IO connections for the console tests: a registry entry that only looks like one,
// and a real session spoken in raw HTTP and WebSocket frames.

#include <memory>

#include <QtCore/QByteArray>
#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QString>
#include <QtCore/QUrl>
#include <QtTest/QSignalSpy>
#include <QtWebSockets/QWebSocket>

#include "server.h"
#include "testsupport.h"

namespace Switchboard::Test {

/**
 * @brief A connection that looks like a Socket.IO session to whatever reads the registry
 * (the console's models) but has no socket behind it: protocol "socket.io", transport
 * polling until setTransport() says otherwise. Leaves the registry when it goes out of scope.
 */
class FakeSocketIoConnection final
{
public:
    FakeSocketIoConnection(Server &server, const QString &user, const QStringList &rooms = {})
        : m_server(server), m_info(std::make_shared<ConnectionInfo>())
    {
        m_info->id = server.nextConnectionId();
        m_info->userId = user;
        m_info->address = QStringLiteral("203.0.113.7:51000");
        m_info->protocol = QStringLiteral("socket.io");
        m_info->transport = 1; // polling
        m_info->connectedAtMs = QDateTime::currentMSecsSinceEpoch();
        m_info->lastActivityMs = m_info->connectedAtMs;
        server.registry().add(m_info, QStringList{QStringLiteral("user:") + user} + rooms);
    }
    ~FakeSocketIoConnection() { m_server.registry().remove(m_info->id); }
    Q_DISABLE_COPY_MOVE(FakeSocketIoConnection)

    quint64 id() const { return m_info->id; }
    /// As the server records an upgrade: 0 = WebSocket, 1 = polling.
    void setTransport(int transport) { m_info->transport.store(transport); }

private:
    Server &m_server;
    std::shared_ptr<ConnectionInfo> m_info;
};

/**
 * @brief A real Socket.IO v5 client in raw frames, as socket.io-client starts one: Engine.IO
 * v4 long-polling (handshake GET, the CONNECT packet with the token POSTed, a poll for the
 * server's CONNECT reply), then, on request, the upgrade to a WebSocket (probe, upgrade
 * packet). Closes the session when it goes out of scope.
 */
class RawSocketIo final
{
public:
    explicit RawSocketIo(quint16 port) : m_port(port) {}
    ~RawSocketIo() { close(); }
    Q_DISABLE_COPY_MOVE(RawSocketIo)

    /// Handshake and CONNECT with @p token. False with the reason in error() on failure.
    bool connect(const QByteArray &token)
    {
        const HttpReply handshake = http("GET", url());
        if (handshake.status != 200 || !handshake.body.startsWith('0'))
            return fail("handshake answered " + QByteArray::number(handshake.status) + ": " + handshake.body);
        m_sid = QJsonDocument::fromJson(handshake.body.mid(1)).object().value(QLatin1String("sid")).toString();
        if (m_sid.isEmpty())
            return fail("handshake without a sid: " + handshake.body);
        const QJsonObject auth{{QStringLiteral("token"), QString::fromLatin1(token)}};
        const HttpReply sent = post("40" + QJsonDocument(auth).toJson(QJsonDocument::Compact));
        if (sent.status != 200)
            return fail("CONNECT answered " + QByteArray::number(sent.status) + ": " + sent.body);
        // The reply to CONNECT comes with the next poll: 40{"sid":...} (or 44 with an error).
        const HttpReply poll = http("GET", url());
        for (const QByteArray &packet : poll.body.split('\x1e')) {
            if (packet.startsWith("40{")) {
                m_socketId = QJsonDocument::fromJson(packet.mid(2)).object().value(QLatin1String("sid")).toString();
                m_open = !m_socketId.isEmpty();
                return m_open || fail("CONNECT reply without a sid: " + packet);
            }
        }
        return fail("no CONNECT reply in the poll: " + poll.body);
    }

    /// Moves the session to a WebSocket as socket.io-client does: 2probe, 3probe, 5.
    bool upgrade()
    {
        m_ws = std::make_unique<QWebSocket>();
        QSignalSpy connected(m_ws.get(), &QWebSocket::connected);
        QSignalSpy messages(m_ws.get(), &QWebSocket::textMessageReceived);
        QUrl wsUrl = url();
        wsUrl.setScheme(QStringLiteral("ws"));
        wsUrl.setQuery(QStringLiteral("EIO=4&transport=websocket&sid=") + m_sid);
        m_ws->open(wsUrl);
        if (!connected.wait(5000))
            return fail("the upgrade WebSocket did not open: " + m_ws->errorString().toUtf8());
        m_ws->sendTextMessage(QStringLiteral("2probe"));
        if (!messages.wait(5000) || messages.first().first().toString() != QLatin1String("3probe"))
            return fail("no 3probe");
        m_ws->sendTextMessage(QStringLiteral("5"));
        return true;
    }

    /// Ends the session: an Engine.IO close packet on whichever transport it is on.
    void close()
    {
        if (!m_open)
            return;
        m_open = false;
        if (m_ws) {
            m_ws->sendTextMessage(QStringLiteral("1"));
            m_ws->close();
        } else {
            post("1");
        }
    }

    QString socketId() const { return m_socketId; }
    /// For failure messages: how the upgraded WebSocket stands ("open", or its close code and reason).
    QString webSocketState() const
    {
        if (!m_ws)
            return QStringLiteral("not upgraded");
        if (m_ws->state() == QAbstractSocket::ConnectedState)
            return QStringLiteral("open");
        return QStringLiteral("closed: %1 %2").arg(int(m_ws->closeCode())).arg(m_ws->closeReason());
    }
    QByteArray error() const { return m_error; }

private:
    QUrl url() const
    {
        QUrl u(QStringLiteral("http://127.0.0.1:%1/socket.io/").arg(m_port));
        u.setQuery(m_sid.isEmpty() ? QStringLiteral("EIO=4&transport=polling")
                                   : QStringLiteral("EIO=4&transport=polling&sid=") + m_sid);
        return u;
    }
    HttpReply post(const QByteArray &body)
    {
        return http("POST", url(), body, {{QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain;charset=UTF-8")}});
    }
    bool fail(const QByteArray &why)
    {
        m_error = why;
        return false;
    }

    quint16 m_port = 0;
    QString m_sid;
    QString m_socketId;
    bool m_open = false;
    std::unique_ptr<QWebSocket> m_ws;
    QByteArray m_error;
};

} // namespace Switchboard::Test

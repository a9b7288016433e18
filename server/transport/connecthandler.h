#pragma once

#include <functional>

#include <QtCore/QByteArrayList>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QUrlQuery>

namespace Switchboard {

/// A new connection's handshake, as the sessions hand it to the connect proxy (docs/hooks.md).
struct ConnectRequest
{
    QString protocol;          // "native" or "socket.io"
    QString nsp;               // Socket.IO: the namespace of the CONNECT; empty for native clients
    QString address;           // the client's address, as in the connection list
    QString token;             // the raw token, when the client gave one
    bool tokenVerified = false;
    QString userId;            // tokenVerified: the token's user and claims
    QJsonObject claims;
    QString tokenError;        // a token was given and failed: why
    bool inBand = false;       // the token came in an "authenticate" message
    QUrlQuery query;           // the handshake's query
    QList<QPair<QByteArray, QByteArray>> headers; // the allow-listed handshake headers
    QJsonObject auth;          // Socket.IO: the CONNECT's auth payload, its token left out
};

/// The back end's verdict on a ConnectRequest.
struct ConnectDecision
{
    bool admitted = false;
    QString userId;            // admitted: who the connection is
    QJsonObject claims;        // the token's claims with the back end's merged in
    QStringList rooms;         // admitted: rooms joined besides those the claims give
    QString code;              // refused: connect_refused, connect_unavailable or the back end's own
    QString message;
    bool unavailable = false;  // refused because the back end could not be asked (fail closed)
};

/**
 * @brief Where the sessions ask whether a new connection may open (the connect proxy of
 * docs/hooks.md). Owned by the transport layer, implemented above it (hooks/ConnectProxy), so
 * an I/O thread hands the handshake over and goes on; the answer comes back on any thread and
 * the caller routes it to its connection, which may be gone by then.
 */
class ConnectHandler
{
public:
    using Answer = std::function<void(const ConnectDecision &)>;

    virtual ~ConnectHandler() = default;
    /// Lowercase names of the handshake headers to capture for handle() (any thread).
    virtual const QByteArrayList &headerNames() const = 0;
    /// @p answer is called exactly once, on any thread, possibly before this returns.
    virtual void handle(ConnectRequest request, Answer answer) = 0;

    /// The headers of @p all that @p names lists (names compared ignoring case).
    static QList<QPair<QByteArray, QByteArray>> pick(const QList<QPair<QByteArray, QByteArray>> &all,
                                                    const QByteArrayList &names)
    {
        QList<QPair<QByteArray, QByteArray>> out;
        if (names.isEmpty())
            return out;
        for (const auto &header : all) {
            const QByteArray name = header.first.toLower();
            if (names.contains(name))
                out.append({name, header.second});
        }
        return out;
    }
};

} // namespace Switchboard

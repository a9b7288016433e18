#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QString>

namespace Switchboard::Protocol {

/// Longest event name, in bytes of UTF-8, from any source (HTTP, native, Socket.IO).
/// Names are kept as metric keys and in the event log, so they must stay small.
inline constexpr int kMaxEventNameBytes = 128;

/// The budget of a client that connected without a token and has not authenticated yet
/// (--auth-grace-ms; docs/security.md), native and Socket.IO alike: its largest message, the
/// messages other than "authenticate" it may send, and the failed tokens it may try.
inline constexpr int kPreAuthMaxMessageBytes = 16 * 1024;
inline constexpr int kPreAuthMaxMessages = 10;
inline constexpr int kPreAuthMaxFailures = 3;

/// Empty when @p name is a usable event name; otherwise why it is not (for the client).
QString checkEventName(const QString &name);

/// Serialises a server->client message as one compact JSON text frame.
QString encode(const QJsonObject &message);

/// {"type":"error","message":...,"code":...} (+ "id" when the request carried one).
QString error(const QString &code, const QString &message, const QJsonValue &id = QJsonValue());

/// Close codes of the native protocol (SPEC section 2).
enum CloseCode : int {
    GoingAway = 1001,
    PolicyViolation = 1008,
    MessageTooBig = 1009,
    TryAgainLater = 1013,
    InternalError = 4000,
    MissingCredentials = 4001,
    InvalidToken = 4002,
    UserMismatch = 4003,
    Replaced = 4004,            // --user-connection-policy evict-oldest: a newer connection of the user
    ConnectRefused = 4005,      // the connect proxy's back end refused the connection (docs/hooks.md)
};

} // namespace Switchboard::Protocol

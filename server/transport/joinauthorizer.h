#pragma once

#include <functional>

#include <QtCore/QJsonObject>
#include <QtCore/QString>

namespace Switchboard {

/// A client's request to join a room, as a connection hands it to a JoinAuthorizer.
struct JoinRequest
{
    QString room;
    QString protocol;         // "native" or "socket.io"
    QString nsp;              // Socket.IO namespace; empty for native clients
    quint64 connectionId = 0;
    QString userId;
    QJsonObject claims;
};

/// The verdict on a JoinRequest: allowed, or refused with an error code and message.
struct JoinDecision
{
    bool allowed = false;
    QString code;             // !allowed: the back end's code, subscribe_unavailable, hook_busy, ...
    QString message;
};

/**
 * @brief Where connections ask whether a client may join a room beyond the room policy (the
 * subscribe proxy of docs/hooks.md). Owned by the sessions layer, implemented above it
 * (hooks/SubscribeProxy), so connections never wait for, or know about, the back end.
 */
class JoinAuthorizer
{
public:
    using Done = std::function<void(const JoinDecision &)>;

    virtual ~JoinAuthorizer() = default;
    /// Whether joins of @p room need a decision (any thread).
    virtual bool covers(const QString &room) const = 0;
    /// Decides @p request; @p done is called exactly once, on any thread, possibly before this
    /// returns (a cached decision, an immediate refusal). The caller routes it back to its
    /// connection, which may be gone by then.
    virtual void authorize(JoinRequest request, Done done) = 0;
};

} // namespace Switchboard

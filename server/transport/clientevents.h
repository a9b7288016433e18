#pragma once

#include <functional>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QString>

namespace Switchboard {

/// A client event no built-in handler takes, as a connection hands it on (docs/hooks.md).
struct ClientEvent
{
    QString event;
    QJsonValue data;          // the payload: native "data", the first Socket.IO argument
    QJsonArray args;          // Socket.IO: every argument, when there is more than one
    QJsonValue requestId{QJsonValue::Undefined}; // native "id"; undefined when absent
    QString protocol;         // "native" or "socket.io"
    QString nsp;              // Socket.IO namespace; empty for native clients
    quint64 connectionId = 0;
    QString userId;
    QJsonObject claims;
};

/// What the client is told about a ClientEvent: a reply (ok), or an error code and message.
struct ClientEventAnswer
{
    bool ok = false;
    QJsonValue reply;         // ok: the Socket.IO ack argument / the native reply's "data"
    QString code;             // !ok: hook_timeout, hook_failed, hook_busy, or the back end's own
    QString message;
};

/**
 * @brief Where the sessions hand client events that match a configured rule (the event proxy
 * of docs/hooks.md). Owned by the sessions layer, implemented above it (hooks/EventProxy), so
 * connections never wait for, or know about, the back end.
 */
class ClientEventHandler
{
public:
    using Answer = std::function<void(const ClientEventAnswer &)>;

    virtual ~ClientEventHandler() = default;
    /// Whether a rule takes events named @p event (any thread).
    virtual bool handles(const QString &event) const = 0;
    /// Starts handling @p event; @p answer is called exactly once, on any thread, possibly
    /// before this returns (an immediate refusal). The caller routes it back to its
    /// connection, which may be gone by then.
    virtual void handle(ClientEvent event, Answer answer) = 0;
};

} // namespace Switchboard

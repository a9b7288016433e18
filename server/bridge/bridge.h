#pragma once

#include <functional>

#include <QtCore/QJsonObject>

#include "emit.h"

namespace Switchboard {

/**
 * @brief A source of server emits outside the sockets: a message broker whose messages
 * become events for rooms (docs/bridges.md).
 *
 * The bridge owns its thread; the server hands it an emitter (its normal emit path) and
 * starts it after the I/O threads, stops it before them. Implementations: AmqpBridge.
 */
class Bridge
{
public:
    /// Emits one request through the server (any thread; thread-safe).
    using Emitter = std::function<EmitResult(EmitRequest)>;

    virtual ~Bridge() = default;
    /// Starts consuming in the background; connection failures are retried, never fatal.
    virtual void start() = 0;
    /// Stops consuming and joins the bridge's thread. Messages not acked yet go back to
    /// the broker, which delivers them again.
    virtual void stop() = 0;
    /// State and counters, per binding, for GET /api/bridges (any thread).
    virtual QJsonObject statusJson() const = 0;
    /// Prometheus lines (any thread).
    virtual QByteArray prometheusText() const = 0;
};

} // namespace Switchboard

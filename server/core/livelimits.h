#pragma once

#include <atomic>

#include <QtCore/QStringList>

#include "core/config.h"

namespace Switchboard {

/**
 * @brief The limits a reload (SIGHUP, docs/operations.md#reload) may change while the server
 * runs. Every thread reads them when it accepts, admits or checks a connection; the main
 * thread writes them. ServerConfig keeps the values the server started with.
 *
 * A connection takes its message size, outbound budget and rate limit when it is admitted;
 * a reload hands open ones the new values too (transport/limitsreload.h). The connection cap
 * and the rooms per connection are checked against the current value at every accept and join.
 */
class LiveLimits final
{
    Q_DISABLE_COPY_MOVE(LiveLimits)

public:
    explicit LiveLimits(const ServerConfig &config) { apply(config); }

    int maxConnections() const { return m_maxConnections.load(std::memory_order_relaxed); }
    qint64 maxMessageSize() const { return m_maxMessageSize.load(std::memory_order_relaxed); }
    qint64 maxPendingBytes() const { return m_maxPendingBytes.load(std::memory_order_relaxed); }
    double rateLimit() const { return m_rateLimit.load(std::memory_order_relaxed); }
    double rateBurst() const { return m_rateBurst.load(std::memory_order_relaxed); }
    int maxRoomsPerConnection() const { return m_maxRoomsPerConnection.load(std::memory_order_relaxed); }

    /// Takes @p config's values; returns "option: old -> new" for each that changed.
    QStringList apply(const ServerConfig &config);

    /// The options apply() takes, by their flag names.
    static QStringList optionNames();

private:
    std::atomic<int> m_maxConnections{0};
    std::atomic<qint64> m_maxMessageSize{0};
    std::atomic<qint64> m_maxPendingBytes{0};
    std::atomic<double> m_rateLimit{0};
    std::atomic<double> m_rateBurst{0};
    std::atomic<int> m_maxRoomsPerConnection{0};
};

} // namespace Switchboard

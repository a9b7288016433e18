#include "livelimits.h"

namespace Switchboard {

namespace {

template <typename T, typename U>
void take(std::atomic<T> &slot, U value, const char *name, QStringList *changed)
{
    const T old = slot.exchange(T(value), std::memory_order_relaxed);
    if (old != T(value))
        *changed << QStringLiteral("%1: %2 -> %3").arg(QLatin1String(name)).arg(old).arg(T(value));
}

} // namespace

QStringList LiveLimits::apply(const ServerConfig &config)
{
    QStringList changed;
    take(m_maxConnections, config.maxConnections, "max-connections", &changed);
    take(m_maxMessageSize, config.maxMessageSize, "max-message-size", &changed);
    take(m_maxPendingBytes, config.maxPendingBytes, "max-pending-bytes", &changed);
    take(m_rateLimit, config.rateLimit, "rate-limit", &changed);
    take(m_rateBurst, config.rateBurst, "rate-burst", &changed);
    take(m_maxRoomsPerConnection, config.maxRoomsPerConnection, "max-rooms-per-connection", &changed);
    return changed;
}

QStringList LiveLimits::optionNames()
{
    return {QStringLiteral("max-connections"), QStringLiteral("max-message-size"), QStringLiteral("max-pending-bytes"),
            QStringLiteral("rate-limit"), QStringLiteral("rate-burst"), QStringLiteral("max-rooms-per-connection")};
}

} // namespace Switchboard

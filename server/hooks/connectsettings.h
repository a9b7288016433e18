#pragma once

#include <QtCore/QByteArrayList>
#include <QtCore/QJsonValue>
#include <QtCore/QString>
#include <QtCore/QUrl>

namespace Switchboard {

/**
 * @brief The connect proxy's part of the hooks file (`"connect": {...}`, docs/hooks.md): the
 * back end that admits or refuses new connections, and what of the handshake it is shown.
 *
 * Plain data, parsed and checked once at startup by parse().
 */
struct ConnectHookSettings
{
    static constexpr int kMaxHeaders = 32;         // names in the allow-list
    static constexpr int kMaxHeaderNameBytes = 64;
    static constexpr int kMaxRetries = 5;
    static constexpr int kMaxTimeoutMs = 60000;

    QUrl url;                  // http:// or https://; empty: no connect proxy
    int timeoutMs = 3000;      // per attempt
    int retries = 0;           // extra attempts after a timeout, a network error or a 5xx
    QByteArrayList headers;    // lowercase names of the handshake headers forwarded

    bool enabled() const { return !url.isEmpty(); }

    /// Parses the value of "connect"; false with @p why naming the field ("timeoutMs: ...").
    static bool parse(const QJsonValue &value, ConnectHookSettings *out, QString *why);
};

} // namespace Switchboard

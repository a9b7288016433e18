#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QMutex>
#include <QtCore/QPair>
#include <QtCore/QStringList>
#include <QtNetwork/QHostAddress>

#include "protocol/ratelimiter.h"

namespace Switchboard {

class RequestData;

/**
 * @brief Who may open sessions from a browser: --allowed-origins entries are exact origins
 * ("https://app.example.com"), wildcard subdomains ("https://*.example.com": any subdomain,
 * not the apex) or "*". With no entries every origin is allowed (the default). A request
 * without an Origin header is not from a browser page and is allowed.
 */
bool originAllowed(const QByteArray &origin, const QStringList &patterns);

/**
 * @brief The client's address: the peer, or — when the peer is one of --trusted-proxies
 * (addresses or CIDR subnets) — the last address in X-Forwarded-For that is not a trusted
 * proxy itself.
 */
class ClientAddress final
{
public:
    explicit ClientAddress(const QStringList &trustedProxies);
    QHostAddress of(const RequestData &request) const;
    bool isTrusted(const QHostAddress &address) const;

private:
    QList<QPair<QHostAddress, int>> m_trusted;
};

/// How a connection's address is shown: "address:port" when the client is the TCP peer, the
/// bare address when a trusted proxy named it in X-Forwarded-For (no port is known then).
QString clientText(const QHostAddress &client, const QHostAddress &peer, quint16 peerPort);

/**
 * @brief Token buckets per client address, shared by every I/O thread (one mutex, held for a
 * hash lookup). The table is bounded: at kMaxAddresses, buckets that have refilled (idle
 * addresses) are dropped; if none has, the new address is let through uncounted rather than
 * growing the table.
 */
class AddressRateLimits final
{
public:
    /// @p ratePerSecond 0 turns the limit off.
    AddressRateLimits(double ratePerSecond, double burst);
    /// Takes a token for @p address; false when its bucket is empty.
    bool tryAcquire(const QHostAddress &address, qint64 nowMs);
    bool enabled() const { return m_rate > 0; }
    int tracked() const;

    static constexpr int kMaxAddresses = 65536;

private:
    double m_rate;
    double m_burst;
    mutable QMutex m_lock;
    QHash<QByteArray, RateLimiter> m_buckets; // the address's raw bytes
};

/**
 * @brief Open sessions per client address (--max-connections-per-ip), shared by every I/O
 * thread: native WebSocket connections and Engine.IO sessions (polling or WebSocket) each hold
 * one from their handshake until they end. An address is in the table only while it holds
 * some, so the table is bounded by the connections themselves.
 */
class AddressConnectionCounts final
{
public:
    /// @p maxPerAddress 0 turns the cap off (nothing is counted).
    explicit AddressConnectionCounts(int maxPerAddress) : m_max(maxPerAddress) {}
    bool enabled() const { return m_max > 0; }
    int limit() const { return m_max; }
    /// Whether @p address may open one more (a check before a handshake is answered).
    bool available(const QHostAddress &address) const;
    /// Counts one more for @p address; false (nothing counted) when it is at the cap.
    bool tryAcquire(const QHostAddress &address);
    void release(const QHostAddress &address);
    int count(const QHostAddress &address) const;

private:
    const int m_max;
    mutable QMutex m_lock;
    QHash<QByteArray, int> m_open;
};

} // namespace Switchboard

#pragma once

#include <functional>

#include <QtCore/QString>
#include <QtCore/QStringList>

#include "cluster/redislink.h"

namespace Switchboard {

/**
 * @brief Admin token revocations shared by every node of a cluster (docs/operations.md,
 * "Roles and audit"): a sorted set `<key>:sb:admin:revoked` (jti scored by the time it stops
 * mattering, the token's expiry) and a channel of the same name, so a revocation made on one
 * node is refused on every node at once.
 *
 * Its own RedisLink (thread): nothing here blocks the caller. Tokens are checked against the
 * node's memory (AdminAuth), which this fills: the whole set each time the link (re)connects,
 * then each revocation as it is published.
 */
class RedisRevocations final
{
    Q_DISABLE_COPY_MOVE(RedisRevocations)

public:
    /// @p revoked runs on the link's thread with jtis revoked anywhere in the cluster.
    RedisRevocations(const RedisUrl &url, const QString &key, std::function<void(const QStringList &)> revoked);
    ~RedisRevocations();

    void start();
    void stop();

    /// Adds @p jti until @p expiresAtSeconds (epoch) and tells the other nodes; @p done (on
    /// the link's thread, or at once when the link is down) learns whether Redis took it.
    void revoke(const QString &jti, qint64 expiresAtSeconds, std::function<void(bool ok, const QString &error)> done);

    /// The CLI's revocation (`switchboard admin-token --revoke JTI --redis URL`): the same
    /// script as revoke(), over a link of its own, waiting at most @p timeoutMs for Redis.
    /// Blocks the calling thread (a nested event loop): for the CLI only, never a server thread.
    static bool revokeBlocking(const RedisUrl &url, const QString &key, const QString &jti, qint64 expiresAtSeconds,
                               int timeoutMs, QString *error);

private:
    void loadAll();

    RedisLink m_link;
    const QByteArray m_key;
    std::function<void(const QStringList &)> m_revoked;
};

} // namespace Switchboard

#pragma once

#include <functional>
#include <memory>

#include <QtCore/QByteArray>
#include <QtCore/QDateTime>
#include <QtCore/QReadWriteLock>
#include <QtCore/QSet>
#include <QtCore/QString>

#include "admin/auditlog.h"
#include "auth/admintoken.h"

namespace Switchboard {

class FileWorker;
class RedisRevocations;
struct ServerConfig;

/**
 * @brief Who an admin request comes from (docs/operations.md, "Roles and audit"): the
 * internal key (role admin, name "internal"), the static --admin-token (admin, "static") or
 * an admin token minted with `switchboard admin-token`, checked against the admin secret and
 * the revocation list.
 *
 * Thread-safe. The revocation list lives in memory; its file (<data dir>/admin-revoked) is
 * re-read on the FileWorker when its modification time changes (checked once a second) and
 * on reload() (SIGHUP), so a revocation written by the CLI takes effect without a restart.
 * In cluster mode (--redis) revocations are also shared through Redis (RedisRevocations):
 * one made on any node is refused on every node; the checks stay in memory.
 */
class AdminAuth final
{
    Q_DISABLE_COPY_MOVE(AdminAuth)

public:
    AdminAuth(const ServerConfig &config, FileWorker &worker);
    ~AdminAuth();

    /// Cluster mode: starts sharing revocations through Redis (server start); stop() ends it.
    void start();
    void stop();

    struct Result
    {
        /// Missing: no credential (401). BadCredentials: a key or opaque bearer that matches
        /// nothing (403, as before roles existed). InvalidToken: an admin JWT refused (401).
        enum class Status { Ok, Missing, BadCredentials, InvalidToken };
        Status status = Status::Missing;
        AdminCaller caller;
        QString reason;  // stable code: missing_credentials, bad_credentials, token_expired, token_revoked, ...
        QString message; // for people
        bool ok() const { return status == Status::Ok; }
    };

    Result authenticate(const QByteArray &internalKey, const QByteArray &authorization,
                        const QDateTime &now = QDateTime::currentDateTimeUtc()) const;

    /// Revokes @p jti at once in memory and appends it to the file on the worker, then (in a
    /// cluster) adds it to Redis until @p expiresAtSeconds; @p done (on the worker or the
    /// Redis thread) says whether it was written everywhere.
    void revoke(const QString &jti, const QString &by, qint64 expiresAtSeconds,
                std::function<void(bool written, const QString &error)> done);
    bool isRevoked(const QString &jti) const;
    /// A new admin token signed with this node's admin secret (POST /api/admin/tokens); empty
    /// when there is no secret. @p jti and @p expiresAt (seconds since the epoch) describe it.
    QByteArray mint(AdminRole role, const QString &name, qint64 ttlSeconds, QString *jti, qint64 *expiresAt) const;
    /// Re-reads the revocation file on the worker (SIGHUP).
    void reload();

    /// The most revocations kept; the file is read up to this many lines.
    static constexpr int kMaxRevocations = 100000;
    static constexpr int kMaxJtiLength = 64;
    static QString revocationsPath(const QString &dataDir);
    /// Appends one revocation line to @p path (the CLI; the server through revoke()).
    static bool appendRevocation(const QString &path, const QString &jti, const QString &by, QString *error);

private:
    void loadFile(); // worker thread
    void addRevoked(const QStringList &jtis); // any thread
    void pollFile(); // worker thread

    const QByteArray m_internalKey;
    const QByteArray m_staticToken;
    const QByteArray m_secret;
    const QString m_path;
    FileWorker &m_worker;
    const QString m_redisUrl;
    const QString m_redisKey;
    // Running while the server is, in a cluster; shared with revocations on their way.
    std::shared_ptr<RedisRevocations> m_shared;
    mutable QReadWriteLock m_lock;
    QSet<QString> m_revoked;
    QDateTime m_fileTime; // worker thread only
    qint64 m_fileSize = -1;
};

} // namespace Switchboard

#include "adminauth.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>

#include "auth/jwt.h"
#include "core/config.h"
#include "core/fileworker.h"
#include "admin/redisrevocations.h"

namespace Switchboard {

Q_DECLARE_LOGGING_CATEGORY(lcAudit)

AdminAuth::AdminAuth(const ServerConfig &config, FileWorker &worker)
    : m_internalKey(config.internalKey.toUtf8()), m_staticToken(config.adminToken.toUtf8()),
      m_secret(config.adminSecret.toUtf8()),
      m_path(config.dataDir.isEmpty() ? QString() : revocationsPath(config.dataDir)), m_worker(worker),
      m_redisUrl(config.redisUrl), m_redisKey(config.redisKey)
{
    if (!m_path.isEmpty()) {
        // Read once here, at start, before any request can be checked: a revoked token must
        // not slip through in the first second. Later reads are the worker's.
        loadFile();
        m_worker.addTick([this] { pollFile(); });
    }
}

AdminAuth::~AdminAuth()
{
    stop();
}

void AdminAuth::start()
{
    if (m_redisUrl.isEmpty() || m_shared)
        return;
    const std::optional<RedisUrl> url = RedisUrl::parse(m_redisUrl);
    if (!url)
        return; // refused with the config already
    m_shared = std::make_shared<RedisRevocations>(*url, m_redisKey, [this](const QStringList &jtis) { addRevoked(jtis); });
    m_shared->start();
}

void AdminAuth::stop()
{
    if (m_shared) {
        m_shared->stop();
        m_shared.reset();
    }
}

void AdminAuth::addRevoked(const QStringList &jtis)
{
    QWriteLocker locker(&m_lock);
    for (const QString &jti : jtis) {
        if (m_revoked.size() >= kMaxRevocations) {
            qCWarning(lcAudit) << "more than" << kMaxRevocations << "revocations; the rest from Redis are ignored";
            return;
        }
        m_revoked.insert(jti);
    }
}

QString AdminAuth::revocationsPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("admin-revoked"));
}

AdminAuth::Result AdminAuth::authenticate(const QByteArray &internalKey, const QByteArray &authorization,
                                          const QDateTime &now) const
{
    Result r;
    QByteArray bearer;
    if (authorization.size() > 7 && authorization.left(7).compare("Bearer ", Qt::CaseInsensitive) == 0)
        bearer = authorization.mid(7).trimmed();
    if (internalKey.isEmpty() && bearer.isEmpty()) {
        r.reason = QStringLiteral("missing_credentials");
        r.message = QStringLiteral("this route needs x-internal-key or Authorization: Bearer <admin token>");
        return r;
    }
    if (!internalKey.isEmpty() && !m_internalKey.isEmpty() && Jwt::constantTimeEquals(internalKey, m_internalKey)) {
        r.status = Result::Status::Ok;
        r.caller = {AdminCaller::Kind::InternalKey, AdminRole::Admin, QStringLiteral("internal"), QStringLiteral("internal")};
        return r;
    }
    if (!bearer.isEmpty() && !m_staticToken.isEmpty() && Jwt::constantTimeEquals(bearer, m_staticToken)) {
        r.status = Result::Status::Ok;
        r.caller = {AdminCaller::Kind::StaticToken, AdminRole::Admin, QStringLiteral("static"), QStringLiteral("static")};
        return r;
    }
    if (bearer.isEmpty() || !AdminToken::looksLikeJwt(bearer)) {
        r.status = Result::Status::BadCredentials;
        r.reason = QStringLiteral("bad_credentials");
        r.message = QStringLiteral("invalid internal key or admin token");
        return r;
    }
    r.status = Result::Status::InvalidToken;
    if (m_secret.isEmpty()) {
        r.reason = QStringLiteral("admin_tokens_disabled");
        r.message = QStringLiteral("this server has no admin secret, so it accepts no admin tokens");
        return r;
    }
    const AdminToken::Verified v = AdminToken::verify(bearer, m_secret, now);
    if (!v.ok()) {
        r.reason = AdminToken::failureCode(v.failure);
        r.message = v.message;
        return r;
    }
    r.caller = {AdminCaller::Kind::Token, v.role, v.name, v.jti};
    if (isRevoked(v.jti)) {
        r.reason = QStringLiteral("token_revoked");
        r.message = QStringLiteral("the admin token %1 has been revoked").arg(v.jti);
        return r;
    }
    r.status = Result::Status::Ok;
    return r;
}

QByteArray AdminAuth::mint(AdminRole role, const QString &name, qint64 ttlSeconds, QString *jti, qint64 *expiresAt) const
{
    if (m_secret.isEmpty())
        return {};
    const QDateTime now = QDateTime::currentDateTimeUtc();
    *expiresAt = now.toSecsSinceEpoch() + ttlSeconds;
    return AdminToken::mint(role, name, ttlSeconds, m_secret, jti, now);
}

bool AdminAuth::isRevoked(const QString &jti) const
{
    QReadLocker locker(&m_lock);
    return m_revoked.contains(jti);
}

void AdminAuth::revoke(const QString &jti, const QString &by, qint64 expiresAtSeconds,
                       std::function<void(bool, const QString &)> done)
{
    {
        QWriteLocker locker(&m_lock);
        m_revoked.insert(jti);
    }
    // Then Redis, for the other nodes of a cluster (a link stopped meanwhile answers at once).
    std::shared_ptr<RedisRevocations> shared = m_shared;
    auto share = [shared, jti, expiresAtSeconds, done](bool written, const QString &error) {
        if (!shared)
            return done(written, error);
        shared->revoke(jti, expiresAtSeconds, [written, error, done](bool ok, const QString &why) {
            if (!ok)
                return done(false, QStringLiteral("not shared with the other nodes (Redis: %1)%2")
                                       .arg(why, written ? QString() : QStringLiteral("; ") + error));
            done(written, error);
        });
    };
    if (m_path.isEmpty())
        return share(true, {});
    const bool posted = m_worker.post([this, jti, by, share] {
        QString error;
        const bool written = appendRevocation(m_path, jti, by, &error);
        pollFile(); // our own line: no reload needed, but remember the new size and time
        share(written, error);
    });
    if (!posted)
        share(false, QStringLiteral("the file writer is busy; the revocation holds until the server restarts"));
}

void AdminAuth::reload()
{
    if (!m_path.isEmpty())
        m_worker.post([this] { loadFile(); });
}

bool AdminAuth::appendRevocation(const QString &path, const QString &jti, const QString &by, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append, QFile::ReadOwner | QFile::WriteOwner)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const QJsonObject line{{QStringLiteral("jti"), jti},
                           {QStringLiteral("by"), by},
                           {QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)}};
    if (file.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n') < 0 || !file.flush()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

void AdminAuth::pollFile()
{
    const QFileInfo info(m_path);
    const QDateTime time = info.exists() ? info.lastModified() : QDateTime();
    const qint64 size = info.exists() ? info.size() : -1;
    if (time == m_fileTime && size == m_fileSize)
        return;
    loadFile();
}

void AdminAuth::loadFile()
{
    QFile file(m_path);
    const QFileInfo info(m_path);
    m_fileTime = info.exists() ? info.lastModified() : QDateTime();
    m_fileSize = info.exists() ? info.size() : -1;
    if (!file.open(QIODevice::ReadOnly))
        return; // none yet: nothing revoked but what this run revoked
    QSet<QString> revoked;
    int lines = 0;
    while (!file.atEnd() && lines < kMaxRevocations) {
        const QByteArray line = file.readLine(4096).trimmed();
        if (line.isEmpty())
            continue;
        ++lines;
        const QString jti = QJsonDocument::fromJson(line).object().value(QLatin1String("jti")).toString();
        if (!jti.isEmpty() && jti.size() <= kMaxJtiLength)
            revoked.insert(jti);
    }
    if (!file.atEnd())
        qCWarning(lcAudit).noquote() << m_path << "has more than" << kMaxRevocations << "revocations; the rest are ignored";
    QWriteLocker locker(&m_lock);
    // Revocations are never taken back by a reload: one made through the API stays even if
    // the file was lost.
    m_revoked.unite(revoked);
}

} // namespace Switchboard

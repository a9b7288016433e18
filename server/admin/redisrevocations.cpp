#include "redisrevocations.h"

#include <memory>

#include <QtCore/QDateTime>
#include <QtCore/QEventLoop>
#include <QtCore/QMutex>
#include <QtCore/QTimer>

#include "admin/adminauth.h"

namespace Switchboard {

namespace {

// KEYS: the set. ARGV: jti, expiry (s), the channel. Forgets the revocations of tokens that
// have expired anyway, adds this one and tells every node, in one step.
const QByteArray kRevoke = QByteArrayLiteral(
    "local now = tonumber(redis.call('TIME')[1]) "
    "redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) "
    "redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) "
    "redis.call('PUBLISH', ARGV[3], ARGV[1]) "
    "return 1");

} // namespace

RedisRevocations::RedisRevocations(const RedisUrl &url, const QString &key, std::function<void(const QStringList &)> revoked)
    : m_link(url)
    , m_key((key + QStringLiteral(":sb:admin:revoked")).toUtf8())
    , m_revoked(std::move(revoked))
{
    m_link.setMessageHandler([this](const QByteArray &channel, const QByteArray &payload) {
        if (channel == m_key && !payload.isEmpty() && payload.size() <= AdminAuth::kMaxJtiLength)
            m_revoked({QString::fromUtf8(payload)});
    });
    m_link.subscribe(m_key);
    // Revocations published while this node was cut off are read back on reconnecting.
    QObject::connect(&m_link, &RedisLink::connectedChanged, &m_link, [this](bool up) {
        if (up)
            loadAll();
    }, Qt::DirectConnection);
}

RedisRevocations::~RedisRevocations()
{
    stop();
}

void RedisRevocations::start()
{
    m_link.start();
}

void RedisRevocations::stop()
{
    m_link.stop();
}

bool RedisRevocations::revokeBlocking(const RedisUrl &url, const QString &key, const QString &jti, qint64 expiresAtSeconds,
                                      int timeoutMs, QString *error)
{
    struct Outcome
    {
        QMutex lock;
        bool done = false;
        bool ok = false;
        QString error;
    };
    const auto outcome = std::make_shared<Outcome>();
    QEventLoop loop;
    const auto finish = [outcome, &loop](bool ok, const QString &why) {
        {
            QMutexLocker locker(&outcome->lock);
            if (outcome->done)
                return;
            outcome->done = true;
            outcome->ok = ok;
            outcome->error = why;
        }
        QMetaObject::invokeMethod(&loop, &QEventLoop::quit, Qt::QueuedConnection);
    };
    const QByteArray set = (key + QStringLiteral(":sb:admin:revoked")).toUtf8();
    RedisLink link(url);
    QObject::connect(&link, &RedisLink::connectedChanged, &link, [&link, set, jti, expiresAtSeconds, finish](bool up) {
        if (!up)
            return;
        link.command({"EVAL", kRevoke, "1", set, jti.toUtf8(), QByteArray::number(expiresAtSeconds), set},
                     [finish](const RedisReply &reply) {
            finish(!reply.isError(), reply.isError() ? QString::fromUtf8(reply.string) : QString());
        });
    }, Qt::DirectConnection);
    QTimer::singleShot(timeoutMs, &loop, [finish, &link, url, timeoutMs] {
        const QString why = link.lastError();
        finish(false, QStringLiteral("no answer from Redis at %1 within %2 ms%3")
                          .arg(url.display())
                          .arg(timeoutMs)
                          .arg(why.isEmpty() ? QString() : QStringLiteral(" (") + why + QLatin1Char(')')));
    });
    link.start();
    loop.exec();
    // Every callback has run or gets "connection lost" before stop() returns; none touches
    // the loop after that (finish() is done).
    link.stop();
    QMutexLocker locker(&outcome->lock);
    if (!outcome->ok && error)
        *error = outcome->error;
    return outcome->ok;
}

void RedisRevocations::loadAll()
{
    m_link.command({"ZRANGEBYSCORE", m_key, "(" + QByteArray::number(QDateTime::currentSecsSinceEpoch() - 60), "+inf",
                    "LIMIT", "0", QByteArray::number(AdminAuth::kMaxRevocations)},
                   [this](const RedisReply &reply) {
        QStringList jtis;
        for (const RedisReply &e : reply.elements) {
            if (!e.string.isEmpty() && e.string.size() <= AdminAuth::kMaxJtiLength)
                jtis.append(QString::fromUtf8(e.string));
        }
        if (!jtis.isEmpty())
            m_revoked(jtis);
    });
}

void RedisRevocations::revoke(const QString &jti, qint64 expiresAtSeconds, std::function<void(bool, const QString &)> done)
{
    m_link.command({"EVAL", kRevoke, "1", m_key, jti.toUtf8(), QByteArray::number(expiresAtSeconds), m_key},
                   [done](const RedisReply &reply) {
        if (reply.isError())
            done(false, QString::fromUtf8(reply.string));
        else
            done(true, {});
    });
}

} // namespace Switchboard

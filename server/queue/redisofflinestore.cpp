#include "redisofflinestore.h"

#include <future>
#include <utility>

#include <QtCore/QDateTime>

#include "core/logging.h"

namespace Switchboard {

namespace {

// Redis' own clock for every lease, so that nodes' clocks do not matter.
#define SB_NOW "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "

// KEYS: ids, frames, leases, bytes, sequence. ARGV: frame, max events, max bytes.
// The new event fits alone (checked before): the oldest go until the user is within bounds.
const QByteArray kStore = QByteArrayLiteral(
    "local size = string.len(ARGV[1]) "
    "local id = redis.call('INCR', KEYS[5]) "
    "redis.call('ZADD', KEYS[1], id, id) "
    "redis.call('HSET', KEYS[2], id, ARGV[1]) "
    "local bytes = redis.call('INCRBY', KEYS[4], size) "
    "local count = redis.call('ZCARD', KEYS[1]) "
    "local maxEvents = tonumber(ARGV[2]) local maxBytes = tonumber(ARGV[3]) "
    "local dropped = 0 "
    "while count > maxEvents or bytes > maxBytes do "
    "  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0)[1] "
    "  local f = redis.call('HGET', KEYS[2], oldest) "
    "  if f then bytes = redis.call('DECRBY', KEYS[4], string.len(f)) end "
    "  redis.call('ZREM', KEYS[1], oldest) redis.call('HDEL', KEYS[2], oldest) redis.call('HDEL', KEYS[3], oldest) "
    "  count = count - 1 dropped = dropped + 1 "
    "end "
    "return {id, dropped}");

// KEYS: ids, frames, leases. ARGV: connection, lease ms. Leases every event nobody holds
// (or whose lease ran out) to the connection; answers {ms until the first lease held by
// another connection runs out, or -1; id, frame, id, frame, ...}.
const QByteArray kTake = QByteArrayLiteral(SB_NOW
    "local conn = ARGV[1] local lease = tonumber(ARGV[2]) "
    "local out = {-1} local wait = -1 "
    "for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do "
    "  local l = redis.call('HGET', KEYS[3], id) local free = true "
    "  if l then "
    "    local sep = string.find(l, ':', 1, true) local exp = tonumber(string.sub(l, sep + 1)) "
    "    if exp > now then "
    "      free = false "
    "      if string.sub(l, 1, sep - 1) ~= conn and (wait < 0 or exp - now < wait) then wait = exp - now end "
    "    end "
    "  end "
    "  if free then "
    "    local f = redis.call('HGET', KEYS[2], id) "
    "    if f then "
    "      redis.call('HSET', KEYS[3], id, conn .. ':' .. string.format('%d', now + lease)) "
    "      out[#out + 1] = id out[#out + 1] = f "
    "    end "
    "  end "
    "end "
    "out[1] = wait "
    "return out");

// KEYS: leases. ARGV: connection, lease ms (renew) or 0 (release), ids... Only the
// connection's own leases are touched.
const QByteArray kLease = QByteArrayLiteral(SB_NOW
    "local n = 0 local lease = tonumber(ARGV[2]) "
    "for i = 3, #ARGV do "
    "  local l = redis.call('HGET', KEYS[1], ARGV[i]) "
    "  if l and string.sub(l, 1, string.find(l, ':', 1, true) - 1) == ARGV[1] then "
    "    if lease > 0 then redis.call('HSET', KEYS[1], ARGV[i], ARGV[1] .. ':' .. string.format('%d', now + lease)) "
    "    else redis.call('HDEL', KEYS[1], ARGV[i]) end "
    "    n = n + 1 "
    "  end "
    "end "
    "return n");

// KEYS: ids, frames, leases, bytes. ARGV: id. 1 when it was there.
const QByteArray kAck = QByteArrayLiteral(
    "local f = redis.call('HGET', KEYS[2], ARGV[1]) "
    "redis.call('HDEL', KEYS[3], ARGV[1]) "
    "if not f then return 0 end "
    "redis.call('ZREM', KEYS[1], ARGV[1]) redis.call('HDEL', KEYS[2], ARGV[1]) "
    "if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4]) "
    "else redis.call('DECRBY', KEYS[4], string.len(f)) end "
    "return 1");

// ARGV: a KEYS pattern (tests and tools only).
const QByteArray kCount = QByteArrayLiteral(
    "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do n = n + redis.call('ZCARD', k) end return n");

#undef SB_NOW

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

RedisOfflineStore::RedisOfflineStore(const RedisUrl &url, const QString &key, int leaseMs, QObject *parent)
    : QObject(parent)
    , m_link(url)
    , m_key(key)
    , m_leaseMs(leaseMs)
{
    m_link.setMessageHandler([this](const QByteArray &channel, const QByteArray &payload) { onMessage(channel, payload); });
    // Renewed three times per lease: one lost renewal does not cost the lease.
    m_tick.setInterval(qMax(50, leaseMs / 3));
    connect(&m_tick, &QTimer::timeout, this, &RedisOfflineStore::tick);
}

RedisOfflineStore::~RedisOfflineStore()
{
    close();
}

void RedisOfflineStore::open()
{
    if (isOpen())
        return;
    m_link.subscribe(noticeChannel());
    m_link.start();
    m_tick.start();
    m_open.store(true, std::memory_order_release);
}

void RedisOfflineStore::close()
{
    if (!isOpen())
        return;
    m_open.store(false, std::memory_order_release);
    m_tick.stop();
    {
        // The connections are closing: their leases end with their node's (within a lease).
        QMutexLocker lock(&m_lock);
        m_waiters.clear();
        m_byUser.clear();
    }
    m_link.stop();
}

QByteArray RedisOfflineStore::userKey(const QString &userId, const char *part) const
{
    return (m_key + QStringLiteral(":sb:offline:{") + userId + QStringLiteral("}:") + QLatin1String(part)).toUtf8();
}

QByteArray RedisOfflineStore::noticeChannel() const
{
    return (m_key + QStringLiteral(":sb:offline")).toUtf8();
}

void RedisOfflineStore::script(const QByteArray &text, QList<QByteArray> keysAndArgs, int keyCount, RedisLink::Done done)
{
    // EVAL rather than EVALSHA: offline events are rare next to emits, and a script flushed
    // from Redis' cache costs nothing to recover from.
    keysAndArgs.prepend(QByteArray::number(keyCount));
    keysAndArgs.prepend(text);
    keysAndArgs.prepend("EVAL");
    m_link.command(std::move(keysAndArgs), std::move(done));
}

void RedisOfflineStore::store(const QString &userId, const QString &frame, const Limits &limits,
                              std::function<void(const Stored &)> done)
{
    const QByteArray bytes = frame.toUtf8();
    if (bytes.size() > limits.maxBytes) {
        if (done)
            done(Stored{false, 0, true, QStringLiteral("the event is %1 bytes, over the %2 bytes kept per offline user")
                                            .arg(bytes.size()).arg(limits.maxBytes)});
        return;
    }
    if (!isOpen()) {
        if (done)
            done(Stored{false, 0, false, QStringLiteral("offline store is not open")});
        return;
    }
    script(kStore,
           {userKey(userId, "ids"), userKey(userId, "frames"), userKey(userId, "leases"), userKey(userId, "bytes"),
            (m_key + QStringLiteral(":sb:offline:seq")).toUtf8(), bytes, QByteArray::number(limits.maxEvents),
            QByteArray::number(limits.maxBytes)},
           5, [this, userId, done](const RedisReply &reply) {
        Stored stored;
        if (reply.type == RedisReply::Type::Array && reply.elements.size() == 2) {
            stored.ok = true;
            stored.dropped = int(reply.elements.at(1).integer);
            notifyUser(userId);
        } else {
            stored.error = QStringLiteral("Redis: %1").arg(QString::fromUtf8(reply.isError() ? reply.string : "unexpected reply"));
        }
        if (done)
            done(stored);
    });
}

void RedisOfflineStore::take(const QString &userId, quint64 connectionId, std::function<void(const QList<Pending> &)> done)
{
    if (!isOpen())
        return;
    {
        QMutexLocker lock(&m_lock);
        Waiter &w = m_waiters[connectionId];
        w.userId = userId;
        w.done = std::move(done);
        m_byUser[userId].insert(connectionId);
    }
    takeFor(connectionId);
}

void RedisOfflineStore::takeFor(quint64 connectionId)
{
    QString userId;
    {
        QMutexLocker lock(&m_lock);
        const auto it = m_waiters.find(connectionId);
        if (it == m_waiters.end())
            return;
        if (it->asking) {
            it->again = true;
            return;
        }
        it->asking = true;
        it->retryAtMs = 0;
        userId = it->userId;
    }
    script(kTake,
           {userKey(userId, "ids"), userKey(userId, "frames"), userKey(userId, "leases"),
            QByteArray::number(connectionId), QByteArray::number(m_leaseMs)},
           3, [this, connectionId, userId](const RedisReply &reply) { taken(connectionId, userId, reply); });
}

void RedisOfflineStore::taken(quint64 connectionId, const QString &userId, const RedisReply &reply)
{
    QList<Pending> pending;
    qint64 waitMs = -1;
    const bool ok = reply.type == RedisReply::Type::Array && !reply.elements.isEmpty();
    if (ok) {
        waitMs = reply.elements.at(0).integer;
        for (qsizetype i = 1; i + 1 < reply.elements.size(); i += 2)
            pending.append(Pending{reply.elements.at(i).string.toLongLong(), QString::fromUtf8(reply.elements.at(i + 1).string)});
    }
    std::function<void(const QList<Pending> &)> done;
    bool again = false;
    {
        QMutexLocker lock(&m_lock);
        const auto it = m_waiters.find(connectionId);
        if (it != m_waiters.end()) {
            it->asking = false;
            again = std::exchange(it->again, false);
            for (const Pending &p : std::as_const(pending))
                it->held.insert(p.rowId);
            // Asked again when a lease held elsewhere runs out, or after a failure.
            if (!ok)
                it->retryAtMs = nowMs() + 1000;
            else if (waitMs >= 0)
                it->retryAtMs = nowMs() + waitMs + 1;
            done = it->done;
        }
    }
    if (again)
        takeFor(connectionId);
    if (!ok) {
        // Once a second at most: while Redis is out of reach every waiting connection retries.
        const qint64 now = nowMs();
        qint64 last = m_lastTakeWarningMs.load(std::memory_order_relaxed);
        if (now - last >= 1000 && m_lastTakeWarningMs.compare_exchange_strong(last, now))
            qCWarning(lcQueue).noquote() << "cannot take offline events for connection" << connectionId << ":"
                                         << QString::fromUtf8(reply.string) << "(retrying every second)";
        return;
    }
    if (pending.isEmpty())
        return;
    if (!done) {
        // The connection closed while its take was on its way: the events go back at once.
        QList<QByteArray> args{userKey(userId, "leases"), QByteArray::number(connectionId), "0"};
        for (const Pending &p : std::as_const(pending))
            args.append(QByteArray::number(p.rowId));
        script(kLease, std::move(args), 1, [this, userId](const RedisReply &) { notifyUser(userId); });
        return;
    }
    done(pending);
}

void RedisOfflineStore::remove(const QString &userId, qint64 rowId, std::function<void(bool)> done)
{
    {
        QMutexLocker lock(&m_lock);
        for (quint64 id : m_byUser.value(userId)) {
            const auto it = m_waiters.find(id);
            if (it != m_waiters.end())
                it->held.remove(rowId);
        }
    }
    script(kAck,
           {userKey(userId, "ids"), userKey(userId, "frames"), userKey(userId, "leases"), userKey(userId, "bytes"),
            QByteArray::number(rowId)},
           4, [done](const RedisReply &reply) {
        if (reply.isError())
            qCWarning(lcQueue).noquote() << "cannot delete acknowledged offline event:" << QString::fromUtf8(reply.string);
        if (done)
            done(reply.type == RedisReply::Type::Integer && reply.integer == 1);
    });
}

void RedisOfflineStore::release(const QString &userId, quint64 connectionId)
{
    QSet<qint64> held;
    {
        QMutexLocker lock(&m_lock);
        const auto it = m_waiters.find(connectionId);
        if (it == m_waiters.end())
            return;
        held = it->held;
        m_waiters.erase(it);
        auto user = m_byUser.find(userId);
        if (user != m_byUser.end()) {
            user->remove(connectionId);
            if (user->isEmpty())
                m_byUser.erase(user);
        }
    }
    if (held.isEmpty())
        return;
    QList<QByteArray> args{userKey(userId, "leases"), QByteArray::number(connectionId), "0"};
    for (qint64 id : std::as_const(held))
        args.append(QByteArray::number(id));
    // Back to the user's other connections, on whichever node.
    script(kLease, std::move(args), 1, [this, userId](const RedisReply &reply) {
        if (reply.type == RedisReply::Type::Integer && reply.integer > 0)
            notifyUser(userId);
    });
}

void RedisOfflineStore::tick()
{
    const qint64 now = nowMs();
    QList<QList<QByteArray>> renewals;
    QList<quint64> retries;
    {
        QMutexLocker lock(&m_lock);
        for (auto it = m_waiters.cbegin(); it != m_waiters.cend(); ++it) {
            if (!it->held.isEmpty()) {
                QList<QByteArray> args{userKey(it->userId, "leases"), QByteArray::number(it.key()), QByteArray::number(m_leaseMs)};
                for (qint64 id : it->held)
                    args.append(QByteArray::number(id));
                renewals.append(std::move(args));
            }
            if (it->retryAtMs > 0 && it->retryAtMs <= now)
                retries.append(it.key());
        }
    }
    for (QList<QByteArray> &args : renewals)
        script(kLease, std::move(args), 1);
    for (quint64 id : std::as_const(retries))
        takeFor(id);
}

void RedisOfflineStore::notifyUser(const QString &userId)
{
    m_link.command({"PUBLISH", noticeChannel(), userId.toUtf8()});
}

void RedisOfflineStore::onMessage(const QByteArray &channel, const QByteArray &payload)
{
    if (channel != noticeChannel())
        return;
    QList<quint64> ids;
    {
        QMutexLocker lock(&m_lock);
        const auto user = m_byUser.constFind(QString::fromUtf8(payload));
        if (user == m_byUser.cend())
            return;
        ids = user->values();
    }
    for (quint64 id : std::as_const(ids))
        takeFor(id);
}

int RedisOfflineStore::pendingCount(const QString &userId)
{
    if (!isOpen())
        return 0;
    auto answer = std::make_shared<std::promise<int>>();
    std::future<int> result = answer->get_future();
    if (userId.isEmpty()) {
        script(kCount, {(m_key + QStringLiteral(":sb:offline:{*}:ids")).toUtf8()}, 0,
               [answer](const RedisReply &reply) { answer->set_value(int(reply.integer)); });
    } else {
        m_link.command({"ZCARD", userKey(userId, "ids")}, [answer](const RedisReply &reply) { answer->set_value(int(reply.integer)); });
    }
    return result.get();
}

} // namespace Switchboard

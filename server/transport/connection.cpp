#include "connection.h"

#include <limits>
#include <utility>

#include <QtCore/QDateTime>

#include "core/connectionlog.h"
#include "core/logging.h"
#include "core/mailbox.h"
#include "hooks/webhooks.h"
#include "ioworker.h"
#include "protocol/messages.h"
#include "protocol/strictjson.h"
#include "rooms/presenceevents.h"
#include "rooms/socketidroom.h"
#include "server.h"

namespace Switchboard {

Connection::Connection(IoWorker &worker, Server &server, QObject *parent)
    : QObject(parent), m_worker(worker), m_server(server)
{
}

Connection::~Connection() = default;

const QString &Connection::userId() const
{
    static const QString none;
    return m_info ? m_info->userId : none;
}

void Connection::sendJob(const QString &queue, qint64 id, const QString &frame)
{
    Q_UNUSED(frame);
    // Only the native protocol consumes queues; a job cannot reach anyone else. Hand it back.
    if (QueueBackend *queues = m_server.queueBackend())
        queues->settle(m_info->id, queue, id, false, QStringLiteral("this connection cannot take jobs"));
}

void Connection::activate(std::shared_ptr<ConnectionInfo> info, const QStringList &rooms)
{
    Q_ASSERT(!m_info);
    const LiveLimits &limits = m_server.limits();
    m_info = std::move(info);
    m_id = m_info->id;
    m_limiter = RateLimiter(limits.rateLimit(), limits.rateBurst(), Server::monotonicMs());
    const int maxRooms = limits.maxRoomsPerConnection();
    m_info->lastActivityMs.store(QDateTime::currentMSecsSinceEpoch(), std::memory_order_relaxed);
    QStringList kept = rooms;
    if (kept.size() > maxRooms) {
        // Claim and recovered rooms beyond the cap are not joined (the first ones, user: and
        // role: among them, are).
        qCWarning(lcWs) << "connection" << m_info->id << "of user" << m_info->userId << "has" << kept.size()
                        << "rooms from its token and recovery; joining the first" << maxRooms;
        kept.resize(maxRooms);
    }
    PresenceEvents &presence = m_server.presenceEvents();
    QStringList firstOfUser;
    m_server.registry().add(m_info, kept, presence.isEnabled() ? &firstOfUser : nullptr);
    // A reload between the accept and here (the token check and the admission are
    // asynchronous, an Engine.IO session may wait for its CONNECT) did not reach this
    // connection, which was not in the registry yet. It takes the limits now, after the
    // registry has it, so whichever reload comes later tells it (transport/limitsreload.h).
    applyLimits(limits);
    if (Webhooks *webhooks = m_server.webhooks())
        webhooks->connected(*m_info, kept);
    for (const QString &room : std::as_const(kept)) {
        m_rooms.insert(room);
        m_worker.indexJoin(this, room);
    }
    m_worker.connectionOpened(this);
    m_server.connectionLog().connected(m_info->id, m_info->userId, m_info->protocol, m_info->address, kept);
    for (const QString &room : std::as_const(firstOfUser))
        presence.localChange(room, m_info->userId, true);
}

void Connection::applyLimits(const LiveLimits &limits)
{
    m_limiter.setLimits(limits.rateLimit(), limits.rateBurst());
}

void Connection::finish(int closeCode, const QString &detail)
{
    if (m_finished || !m_info)
        return;
    m_finished = true;
    m_pendingJoins.clear(); // decisions that come later are dropped
    m_server.metrics().countClose(closeCode);
    m_server.metrics().connectionsCurrent.fetch_sub(1, std::memory_order_relaxed);
    OfflineStore &offline = m_server.offlineStore();
    if (!m_offline.isEmpty() || offline.isShared()) {
        // Unacknowledged persisted events go to the user's next connection (before the
        // registry says this one is gone); a shared store also stops asking for this one.
        offline.release(m_info->userId, m_info->id);
        m_offline.clear();
    }
    PresenceEvents &presence = m_server.presenceEvents();
    QStringList lastOfUser;
    m_server.registry().remove(m_info->id, presence.isEnabled() ? &lastOfUser : nullptr);
    m_server.connectionLog().disconnected(m_info->id, m_info->userId, closeCode, detail);
    if (presence.isEnabled()) {
        presence.connectionGone(m_info->id);
        for (const QString &room : std::as_const(lastOfUser))
            presence.localChange(room, m_info->userId, false);
    }
    m_server.userConnectionClosed(m_info->userId, m_info->id);
    m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("disconnect"), QString(),
                               m_info->userId, m_info->id,
                               QStringLiteral("code %1 %2").arg(closeCode).arg(detail).trimmed());
    if (Webhooks *webhooks = m_server.webhooks())
        webhooks->disconnected(*m_info, closeCode, detail);
    for (const QString &room : std::as_const(m_rooms))
        m_worker.indexLeave(this, room);
    m_rooms.clear();
    if (!m_consuming.isEmpty() || !m_jobs.isEmpty()) {
        // Jobs it held go back to their queues (with backoff) for another consumer.
        if (QueueBackend *queues = m_server.queueBackend())
            queues->consumerGone(m_info->id);
        m_consuming.clear();
        m_jobs.clear();
    }
    m_worker.connectionClosed(this);
}

bool Connection::join(const QString &room)
{
    if (m_rooms.contains(room) || m_rooms.size() >= m_server.limits().maxRoomsPerConnection())
        return false;
    // A socket id's room is that socket alone (rooms/socketidroom.h): never an ordinary room.
    if (SocketIdRoom::isReserved(room))
        return false;
    m_rooms.insert(room);
    m_worker.indexJoin(this, room);
    PresenceEvents &presence = m_server.presenceEvents();
    bool firstOfUser = false;
    m_server.registry().join(m_info->id, room, presence.isEnabled() ? &firstOfUser : nullptr);
    m_server.connectionLog().joined(m_info->id, m_info->userId, room);
    m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("join"), room, m_info->userId, m_info->id, {});
    if (firstOfUser)
        presence.localChange(room, m_info->userId, true);
    if (Webhooks *webhooks = m_server.webhooks())
        webhooks->joined(*m_info, room);
    return true;
}

bool Connection::leave(const QString &room)
{
    // A leave that overtakes a join still waiting for the back end wins over it.
    cancelPendingJoins(room);
    if (!m_rooms.remove(room))
        return false;
    m_worker.indexLeave(this, room);
    PresenceEvents &presence = m_server.presenceEvents();
    bool lastOfUser = false;
    m_server.registry().leave(m_info->id, room, presence.isEnabled() ? &lastOfUser : nullptr);
    m_server.connectionLog().left(m_info->id, m_info->userId, room);
    m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("leave"), room, m_info->userId, m_info->id, {});
    if (lastOfUser)
        presence.localChange(room, m_info->userId, false);
    if (Webhooks *webhooks = m_server.webhooks())
        webhooks->left(*m_info, room);
    return true;
}

void Connection::countIn(qint64 bytes)
{
    m_info->lastActivityMs.store(QDateTime::currentMSecsSinceEpoch(), std::memory_order_relaxed);
    m_info->messagesIn.fetch_add(1, std::memory_order_relaxed);
    m_info->bytesIn.fetch_add(quint64(bytes), std::memory_order_relaxed);
    Metrics &metrics = m_server.metrics();
    metrics.messagesIn.fetch_add(1, std::memory_order_relaxed);
    metrics.bytesIn.fetch_add(quint64(bytes), std::memory_order_relaxed);
}

namespace {
thread_local OutTally *t_tally = nullptr;
} // namespace

OutTally::OutTally(Server &server) : m_server(server), m_outer(std::exchange(t_tally, this)) {}

OutTally::~OutTally()
{
    t_tally = m_outer;
    if (m_messages == 0)
        return;
    Metrics &metrics = m_server.metrics();
    metrics.messagesOut.fetch_add(m_messages, std::memory_order_relaxed);
    metrics.bytesOut.fetch_add(m_bytes, std::memory_order_relaxed);
}

void Connection::countOut(qint64 bytes)
{
    // Only this connection's thread writes its counters (others read them): no locked
    // read-modify-write needed.
    ConnectionInfo &info = *m_info;
    info.messagesOut.store(info.messagesOut.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    info.bytesOut.store(info.bytesOut.load(std::memory_order_relaxed) + quint64(bytes), std::memory_order_relaxed);
    if (OutTally *tally = t_tally) {
        ++tally->m_messages;
        tally->m_bytes += quint64(bytes);
        return;
    }
    Metrics &metrics = m_server.metrics();
    metrics.messagesOut.fetch_add(1, std::memory_order_relaxed);
    metrics.bytesOut.fetch_add(quint64(bytes), std::memory_order_relaxed);
}

bool Connection::rateLimited(qint64 nowMs, const std::function<void(const QString &, const QString &)> &answer)
{
    if (m_limiter.tryAcquire(nowMs))
        return false;
    m_server.metrics().rateLimited.fetch_add(1, std::memory_order_relaxed);
    if (m_limiter.rejectedRecently() >= m_server.config().rateAbuseLimit) {
        qCInfo(lcWs) << "closing connection" << m_info->id << "for rate limit abuse";
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("rate_limit_abuse"), QString(),
                                   m_info->userId, m_info->id, QStringLiteral("closed with 1008"));
        close(1008, QStringLiteral("rate limit exceeded"));
    } else if (m_limiter.rejectedRecently() == 1) {
        m_server.eventLog().append(EventLog::Direction::System, QStringLiteral("rate_limited"), QString(),
                                   m_info->userId, m_info->id, QString());
        answer(QStringLiteral("rate_limited"),
               QStringLiteral("rate limit exceeded: at most %1 messages per second").arg(m_server.limits().rateLimit()));
    } else {
        answer(QStringLiteral("rate_limited"), QStringLiteral("rate limit exceeded"));
    }
    return true;
}

void Connection::requestOffline()
{
    const quint64 id = m_info->id;
    IoWorker *worker = &m_worker;
    OfflineStore *store = &m_server.offlineStore();
    std::shared_ptr<Mailbox> mailbox = m_worker.mailbox();
    const QString userId = m_info->userId;
    store->take(userId, id, [store, worker, mailbox, id, userId](const QList<OfflineStore::Pending> &events) {
        // On the store's thread. The connection (or its whole I/O thread) may be gone by now:
        // then the events go back to the store for the user's next connection.
        const bool posted = mailbox->post([store, worker, id, userId, events] {
            Connection *connection = worker->connection(id);
            if (connection && !connection->m_finished)
                connection->deliverOffline(events);
            else
                store->release(userId, id);
        });
        if (!posted)
            store->release(userId, id);
    });
}

bool Connection::settleOffline(const QString &eventId)
{
    const auto kept = m_offline.constFind(eventId);
    if (kept == m_offline.cend())
        return false;
    Metrics *metrics = &m_server.metrics();
    m_server.offlineStore().remove(m_info->userId, *kept, [metrics](bool removed) {
        if (removed)
            metrics->offlineDelivered.fetch_add(1, std::memory_order_relaxed);
    });
    m_offline.erase(kept);
    return true;
}

Connection::Refusal Connection::checkJoin(const QString &room) const
{
    const int max = m_server.limits().maxRoomsPerConnection();
    if (m_rooms.size() >= max && !m_rooms.contains(room))
        return {QStringLiteral("too_many_rooms"), QStringLiteral("a connection can be in at most %1 rooms; leave one first").arg(max)};
    const QString why = m_server.roomPolicy().checkSubscribe(m_info->userId, m_info->role, room);
    if (why.isEmpty())
        return {};
    return {room.size() > RoomPolicy::kMaxRoomLength ? QStringLiteral("invalid_room") : QStringLiteral("forbidden"), why};
}

Connection::Refusal Connection::watchPresence(const QString &nsp, const QString &room, bool subscribe)
{
    PresenceEvents &presence = m_server.presenceEvents();
    if (subscribe) {
        const PresenceEvents::Refusal refused = presence.subscribe(m_info->id, m_info->userId, m_info->role, nsp, room);
        return {refused.code, refused.message};
    }
    if (!presence.unsubscribe(m_info->id, room))
        return {QStringLiteral("not_subscribed"), QStringLiteral("this connection does not watch the presence of %1").arg(room)};
    return {};
}

void Connection::setTokenExpiry(const QJsonObject &claims)
{
    m_claims = claims;
    m_expiryWarned = false;
    const QJsonValue exp = claims.value(QLatin1String("exp"));
    if (!exp.isDouble()) {
        m_expiresAtMs = 0;
        return;
    }
    // On the monotonic clock the sweep uses: now plus what is left of the token's life.
    const qint64 leftMs = (Json::toInt64(exp.toDouble(), std::numeric_limits<qint64>::max() / 2000) + m_server.config().jwtLeewaySeconds) * 1000 - QDateTime::currentMSecsSinceEpoch();
    m_expiresAtMs = qMax<qint64>(1, Server::monotonicMs() + leftMs);
}

bool Connection::isHooked(const QString &event) const
{
    const ClientEventHandler *hooks = m_server.clientEvents();
    return hooks && hooks->handles(event);
}

void Connection::forwardEvent(ClientEvent event, std::function<void(Connection &, const ClientEventAnswer &)> answered)
{
    event.connectionId = m_info->id;
    event.userId = m_info->userId;
    event.claims = m_claims;
    // The answer comes on the hooks or queue thread; by id, so a connection gone meanwhile
    // is skipped instead of touched.
    m_server.clientEvents()->handle(std::move(event), [server = &m_server, self = m_info->id,
                                                       answered = std::move(answered)](const ClientEventAnswer &answer) {
        server->postToConnection(self, [answered, answer](Connection *c) { answered(*c, answer); });
    });
}

bool Connection::checkTokenExpiry(qint64 nowMs)
{
    if (m_expiresAtMs == 0 || !isActive())
        return false;
    if (nowMs >= m_expiresAtMs) {
        qCInfo(lcAuth) << "closing connection" << id() << "user" << userId() << ": token expired";
        m_expiresAtMs = 0;
        close(Protocol::InvalidToken, QStringLiteral("token expired"));
        return true;
    }
    const qint64 warnMs = qint64(m_server.config().tokenExpiryWarningSeconds) * 1000;
    if (!m_expiryWarned && warnMs > 0 && nowMs >= m_expiresAtMs - warnMs) {
        m_expiryWarned = true;
        tokenExpiring(int((m_expiresAtMs - nowMs + 999) / 1000));
    }
    return false;
}

} // namespace Switchboard

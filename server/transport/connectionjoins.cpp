// Connection: client joins that a JoinAuthorizer (the subscribe proxy, docs/hooks.md) decides.
#include "connection.h"

#include "core/logging.h"
#include "server.h"

namespace Switchboard {

bool Connection::joinNeedsDecision(const QString &room) const
{
    const JoinAuthorizer *authorizer = m_server.joinAuthorizer();
    return authorizer && !m_rooms.contains(room) && authorizer->covers(room);
}

void Connection::authorizeJoin(const QString &room, const QString &nsp, std::function<void(const Refusal &)> decided)
{
    const int max = m_server.config().hooks.subscribeMaxPending;
    if (m_pendingJoins.size() >= max) {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        decided({QStringLiteral("too_many_pending"),
                 QStringLiteral("%1 joins of this connection are already waiting for the back end; wait for their answers").arg(max)});
        return;
    }
    const quint64 ticket = m_nextJoinTicket++;
    m_pendingJoins.insert(ticket, {room, nsp, std::move(decided)});
    JoinRequest request;
    request.room = room;
    request.protocol = m_info->protocol == QLatin1String("socket.io") ? m_info->protocol : QStringLiteral("native");
    request.nsp = nsp;
    request.connectionId = m_info->id;
    request.userId = m_info->userId;
    request.claims = m_claims;
    // The decision comes on the hooks thread (or at once, from the cache); by id, so a
    // connection gone meanwhile is skipped instead of touched.
    m_server.joinAuthorizer()->authorize(std::move(request), [server = &m_server, self = m_info->id, ticket](const JoinDecision &d) {
        server->postToConnection(self, [ticket, d](Connection *c) { c->joinDecided(ticket, d); });
    });
}

void Connection::joinDecided(quint64 ticket, const JoinDecision &decision)
{
    const auto it = m_pendingJoins.find(ticket);
    if (it == m_pendingJoins.end())
        return; // cancelled by a leave, or the connection finished
    const PendingJoin pending = std::move(*it);
    m_pendingJoins.erase(it);
    Refusal refused;
    if (!decision.allowed) {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        refused = {decision.code, decision.message};
    } else {
        // Other joins may have filled --max-rooms-per-connection meanwhile.
        refused = checkJoin(pending.room);
        if (refused.isEmpty())
            join(pending.room);
    }
    pending.decided(refused);
}

void Connection::cancelPendingJoinsFrom(const QString &nsp)
{
    QList<std::function<void(const Refusal &)>> cancelled;
    for (auto it = m_pendingJoins.begin(); it != m_pendingJoins.end();) {
        if (it->nsp == nsp) {
            cancelled << std::move(it->decided);
            it = m_pendingJoins.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto &decided : std::as_const(cancelled))
        decided({QStringLiteral("cancelled"), QStringLiteral("the namespace %1 was left before the back end decided the join").arg(nsp)});
}

void Connection::cancelPendingJoins(const QString &room)
{
    QList<std::function<void(const Refusal &)>> cancelled;
    for (auto it = m_pendingJoins.begin(); it != m_pendingJoins.end();) {
        if (it->room == room) {
            cancelled << std::move(it->decided);
            it = m_pendingJoins.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto &decided : std::as_const(cancelled))
        decided({QStringLiteral("cancelled"), QStringLiteral("%1 was left before the back end decided the join").arg(room)});
}

} // namespace Switchboard

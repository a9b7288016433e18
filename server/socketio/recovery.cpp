#include "recovery.h"

#include "server.h"
#include "transport/ioworker.h"

namespace Switchboard {

SioRecovery::SioRecovery(int windowSeconds, int maxEvents)
    : m_windowMs(qint64(windowSeconds) * 1000), m_maxEvents(maxEvents)
{
}

quint64 SioRecovery::currentOffset() const
{
    QMutexLocker lock(&m_lock);
    return m_offset;
}

void SioRecovery::prune(qint64 nowMs)
{
    while (!m_events.empty() && (nowMs - m_events.front().atMs > m_windowMs || int(m_events.size()) > m_maxEvents))
        m_events.pop_front();
    for (auto it = m_saved.begin(); it != m_saved.end();)
        it = it->expiresMs <= nowMs ? m_saved.erase(it) : std::next(it);
}

void SioRecovery::record(const std::shared_ptr<OutboundFrame> &frame)
{
    const qint64 now = Server::monotonicMs();
    QMutexLocker lock(&m_lock);
    frame->offset = ++m_offset;
    m_events.push_back({frame, now});
    if (m_events.size() % 256 == 0 || int(m_events.size()) > m_maxEvents)
        prune(now);
}

void SioRecovery::save(const QString &pid, Saved saved)
{
    const qint64 now = Server::monotonicMs();
    saved.expiresMs = now + m_windowMs;
    QMutexLocker lock(&m_lock);
    prune(now);
    m_saved.insert(pid, std::move(saved));
}

std::optional<SioRecovery::Saved> SioRecovery::find(const QString &pid, const QString &userId) const
{
    QMutexLocker lock(&m_lock);
    const auto it = m_saved.constFind(pid);
    if (it == m_saved.cend() || it->expiresMs <= Server::monotonicMs() || it->userId != userId)
        return std::nullopt;
    return *it;
}

std::vector<std::shared_ptr<const OutboundFrame>> SioRecovery::missed(const Saved &saved, const QString &nsp, quint64 offset) const
{
    // Without an offset (it received no broadcast yet) everything since it connected counts.
    const quint64 after = offset != 0 ? offset : saved.connectedOffset;
    std::vector<std::shared_ptr<const OutboundFrame>> out;
    QMutexLocker lock(&m_lock);
    for (const Logged &logged : m_events) {
        const OutboundFrame &f = *logged.frame;
        if (f.offset <= after || f.nsp != nsp)
            continue;
        if (!f.room.isEmpty() && !saved.rooms.contains(f.room))
            continue;
        if (f.exceptConnectionId == saved.connectionId || (!f.exceptUserId.isEmpty() && f.exceptUserId == saved.userId))
            continue;
        out.push_back(logged.frame);
    }
    return out;
}

} // namespace Switchboard

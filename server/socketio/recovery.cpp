#include "recovery.h"

#include "server.h"
#include "transport/ioworker.h"

namespace Switchboard {

SioRecovery::SioRecovery(int windowSeconds, qint64 maxBytes, qint64 maxReplayBytes)
    : m_windowMs(qint64(windowSeconds) * 1000), m_maxBytes(maxBytes), m_maxReplayBytes(maxReplayBytes)
{
}

void SioRecovery::socketOpened()
{
    m_open.fetch_add(1, std::memory_order_relaxed);
}

void SioRecovery::socketClosed()
{
    m_lastClosedMs.store(Server::monotonicMs(), std::memory_order_relaxed);
    m_open.fetch_sub(1, std::memory_order_relaxed);
}

quint64 SioRecovery::currentOffset() const
{
    QMutexLocker lock(&m_lock);
    return m_offset;
}

qint64 SioRecovery::cost(const OutboundFrame &frame)
{
    // What a logged event keeps alive: its native JSON (UTF-16), the parsed payload, and the
    // encoded forms its first deliveries built (the native WebSocket frame, the Engine.IO
    // message and its frame, UTF-8), about six bytes per character, plus the attachments.
    qint64 bytes = 256 + 6 * qint64(frame.text.size());
    for (const QByteArray &attachment : frame.attachments)
        bytes += attachment.size();
    return bytes;
}

void SioRecovery::pruneLocked(qint64 nowMs)
{
    const bool inUse = inUseLocked(nowMs);
    while (!m_events.empty()
           && (!inUse || nowMs - m_events.front().atMs > m_windowMs || m_bytes > m_maxBytes)) {
        m_bytes -= m_events.front().cost;
        m_prunedUpTo = m_events.front().frame->offset;
        m_events.pop_front();
    }
    for (auto it = m_saved.begin(); it != m_saved.end();)
        it = it->expiresMs <= nowMs ? m_saved.erase(it) : std::next(it);
}

void SioRecovery::prune()
{
    const qint64 now = Server::monotonicMs();
    QMutexLocker lock(&m_lock);
    pruneLocked(now);
}

void SioRecovery::recordThenPost(const std::shared_ptr<OutboundFrame> &frame, std::function<void()> post)
{
    if (!enabled()) {
        post();
        return;
    }
    std::unique_lock ordered(m_postOrder);
    if (!record(frame))
        ordered.unlock(); // no offset: no order to keep, and other emitters need not wait
    post();
}

bool SioRecovery::record(const std::shared_ptr<OutboundFrame> &frame)
{
    const qint64 now = Server::monotonicMs();
    const qint64 bytes = cost(*frame);
    QMutexLocker lock(&m_lock);
    if (!inUseLocked(now)) {
        if (!m_events.empty())
            pruneLocked(now);
        // A gap: a resume from before this emit cannot be answered any more.
        m_prunedUpTo = ++m_offset;
        return false;
    }
    frame->offset = ++m_offset;
    StreamOffset::stamp(*frame);
    m_events.push_back({frame, now, bytes});
    m_bytes += bytes;
    if (m_bytes > m_maxBytes || m_events.size() % 256 == 0)
        pruneLocked(now);
    return true;
}

void SioRecovery::save(const QString &pid, Saved saved)
{
    const qint64 now = Server::monotonicMs();
    saved.expiresMs = now + m_windowMs;
    QMutexLocker lock(&m_lock);
    pruneLocked(now);
    m_saved.insert(pid, std::move(saved));
}

void SioRecovery::take(const QString &pid, const QString &userId, quint64 after, quint64 takerId,
                       std::function<void(std::optional<Session>)> done)
{
    Q_UNUSED(after); // missed() reads the log per namespace
    Q_UNUSED(takerId); // one process: the old socket's save came before (it closed first)
    done(take(pid, userId));
}

void SioRecovery::readAfter(quint64 after, const Reader &reader, std::function<void(Read)> done) const
{
    Read read;
    {
        QMutexLocker lock(&m_lock);
        if (after < m_prunedUpTo || after > m_offset) {
            read.error = after > m_offset ? QStringLiteral("unknown offset") : QStringLiteral("expired");
        } else {
            auto first = std::partition_point(m_events.cbegin(), m_events.cend(),
                                              [after](const Logged &l) { return l.frame->offset <= after; });
            // Only what the reader would have received counts (and is kept).
            qint64 bytes = 0;
            for (auto it = first; it != m_events.cend() && bytes <= m_maxReplayBytes; ++it) {
                if (!reader.wants(*it->frame))
                    continue;
                bytes += it->cost;
                read.frames.push_back(it->frame);
            }
            read.ok = bytes <= m_maxReplayBytes;
            if (!read.ok) {
                read.error = QStringLiteral("too large");
                read.frames.clear();
            }
        }
    }
    done(std::move(read));
}

std::optional<SioRecovery::Saved> SioRecovery::take(const QString &pid, const QString &userId)
{
    QMutexLocker lock(&m_lock);
    const auto it = m_saved.find(pid);
    if (it == m_saved.end() || it->expiresMs <= Server::monotonicMs() || it->userId != userId)
        return std::nullopt;
    Saved saved = std::move(*it);
    m_saved.erase(it);
    return saved;
}

std::optional<std::vector<std::shared_ptr<const OutboundFrame>>>
SioRecovery::missed(const Saved &saved, const QSet<QString> &rooms, const QString &nsp, quint64 offset) const
{
    // Nothing from before the socket first connected, whatever offset the client claims;
    // without an offset (it received no broadcast yet) everything since then counts.
    const quint64 after = qMax(offset, saved.connectedOffset);
    std::vector<std::shared_ptr<const OutboundFrame>> logged;
    {
        QMutexLocker lock(&m_lock);
        if (after < m_prunedUpTo)
            return std::nullopt; // some of what it missed is gone: no recovery, as in Socket.IO
        // The log is in offset order: start at the first event after the client's offset.
        auto first = std::partition_point(m_events.cbegin(), m_events.cend(),
                                          [after](const Logged &l) { return l.frame->offset <= after; });
        logged.reserve(size_t(m_events.cend() - first));
        for (auto it = first; it != m_events.cend(); ++it)
            logged.push_back(it->frame);
    }
    return select(logged, saved.userId, saved.connectionId, rooms, nsp, after);
}

qint64 SioRecovery::bytes() const
{
    QMutexLocker lock(&m_lock);
    return m_bytes;
}

int SioRecovery::events() const
{
    QMutexLocker lock(&m_lock);
    return int(m_events.size());
}

} // namespace Switchboard

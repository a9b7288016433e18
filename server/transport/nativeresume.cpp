// NativeConnection's resume (docs/protocol.md, "Resume"): the events a client missed, read
// from the EventStream (this process's log, or Redis in cluster mode) off this thread.

#include "nativeconnection.h"

#include <algorithm>

#include <QtCore/QJsonObject>
#include <QtCore/QPointer>

#include "core/mailbox.h"
#include "ioworker.h"
#include "protocol/messages.h"
#include "rooms/eventstream.h"
#include "server.h"

namespace Switchboard {

namespace {

QString resumeFailed(const QString &since, const QString &reason, const QJsonValue &id)
{
    QJsonObject message{{QStringLiteral("type"), QStringLiteral("resume_failed")},
                        {QStringLiteral("since"), since},
                        {QStringLiteral("reason"), reason}};
    if (!id.isUndefined() && !id.isNull())
        message.insert(QStringLiteral("id"), id);
    return Protocol::encode(message);
}

} // namespace

void NativeConnection::resume(const QString &since, const QJsonValue &id)
{
    EventStream &events = m_server.eventStream();
    bool ok = false;
    const quint64 after = StreamOffset::parse(since, &ok);
    if (!ok || after == 0) {
        m_server.metrics().errors.fetch_add(1, std::memory_order_relaxed);
        send(Protocol::error(QStringLiteral("invalid_since"),
                             QStringLiteral("since must be the \"offset\" of an event this server sent, e.g. \"42\" or \"1733450000000-0\""), id));
        return;
    }
    if (!events.enabled()) {
        send(resumeFailed(since, QStringLiteral("disabled"), id));
        return;
    }
    if (events.isShared() != bool(after & StreamOffset::kStreamBit)) {
        // A stream id on a single node (or the reverse): another server's offset.
        send(resumeFailed(since, QStringLiteral("unknown offset"), id));
        return;
    }
    if (m_resumeCall != 0) {
        send(Protocol::error(QStringLiteral("resume_in_progress"), QStringLiteral("a resume is already under way"), id));
        return;
    }
    // Live events that come meanwhile wait (hold()), so that the missed ones go first.
    const quint64 call = ++m_resumeCalls;
    m_resumeCall = call;
    m_resumeSince = since;
    m_resumeId = id;
    QPointer<NativeConnection> self(this);
    const std::shared_ptr<Mailbox> mailbox = m_worker.mailbox();
    // Only this connection's events count against the replay bound.
    EventStream::Reader reader;
    reader.userId = m_info->userId;
    reader.connectionId = m_info->id;
    reader.rooms = m_rooms;
    reader.namespaces = {QStringLiteral("/")};
    events.readAfter(after, reader, [self, mailbox, call, after, id](EventStream::Read read) {
        mailbox->post([self, call, after, id, read = std::move(read)] {
            if (self)
                self->resumeRead(call, after, id, read.ok, read.error, read.frames);
        });
    });
}

void NativeConnection::resumeRead(quint64 call, quint64 after, const QJsonValue &id, bool ok, const QString &error,
                                  const std::vector<std::shared_ptr<const OutboundFrame>> &frames)
{
    if (call != m_resumeCall || isClosing())
        return;
    const QString since = StreamOffset::text(after);
    if (!ok) {
        // Not all of it is kept (or it is over --recovery-replay-max-bytes): the client reloads.
        send(resumeFailed(since, error, id));
        releaseHeld(0);
        return;
    }
    // Events this connection was sent already (live after a subscribe, or by an earlier
    // resume) are not sent again. The ring tells which, for its last kSentOffsets; an event
    // older than those it can no longer tell apart fails the resume instead of repeating it.
    std::vector<quint64> sent(m_sentOffsets);
    std::sort(sent.begin(), sent.end());
    EventStream::Frames missed;
    for (const auto &frame : EventStream::select(frames, m_info->userId, m_info->id, m_rooms, QStringLiteral("/"), after)) {
        if (std::binary_search(sent.cbegin(), sent.cend(), frame->offset))
            continue;
        if (frame->offset <= m_sentForgottenUpTo) {
            send(resumeFailed(since, QStringLiteral("overlaps sent events"), id));
            releaseHeld(0);
            return;
        }
        missed.push_back(frame);
    }
    quint64 high = after;
    int count = 0;
    for (const auto &frame : missed) {
        // Through the outbound byte budget like live frames: a client that does not read is
        // closed as a slow consumer instead of buffering the whole replay.
        if (!sendNative(frame->nativeFrame(), frame->nativePayloadSize(), QString()))
            return;
        noteSent(frame->offset);
        high = qMax(high, frame->offset);
        ++count;
    }
    for (const auto &frame : frames)
        high = qMax(high, frame->offset); // read up to here, whether it was for this client or not
    QJsonObject done{{QStringLiteral("type"), QStringLiteral("resumed")},
                     {QStringLiteral("since"), since},
                     {QStringLiteral("count"), count},
                     {QStringLiteral("offset"), StreamOffset::text(high)}};
    if (!id.isUndefined() && !id.isNull())
        done.insert(QStringLiteral("id"), id);
    send(Protocol::encode(done));
    releaseHeld(high);
}

bool NativeConnection::hold(const OutboundFrame &frame)
{
    const QByteArray &bytes = frame.nativeFrame();
    m_heldBytes += bytes.size();
    if (m_heldBytes > m_server.config().maxPendingBytes) {
        // Bounded like the outbound buffer: the resume gives up rather than hold on.
        m_resumeCall = 0;
        send(resumeFailed(m_resumeSince, QStringLiteral("too many live events while resuming"), m_resumeId));
        releaseHeld(0);
        if (!sendNative(bytes, frame.nativePayloadSize(), frame.ack ? frame.id : QString()))
            return false;
        noteSent(frame.offset);
        return true;
    }
    m_held.push_back({bytes, frame.nativePayloadSize(), frame.offset, frame.ack ? frame.id : QString()});
    return true;
}

void NativeConnection::releaseHeld(quint64 replayedUpTo)
{
    m_resumeCall = 0;
    m_replayedUpTo = qMax(m_replayedUpTo, replayedUpTo);
    std::vector<HeldFrame> held;
    held.swap(m_held);
    m_heldBytes = 0;
    for (const HeldFrame &frame : held) {
        if (frame.offset != 0 && frame.offset <= m_replayedUpTo)
            continue; // the replay had it
        if (!sendNative(frame.frame, frame.payloadSize, frame.ackId))
            return;
        noteSent(frame.offset);
    }
}

void NativeConnection::noteSent(quint64 offset)
{
    if (offset == 0)
        return;
    if (m_sentOffsets.size() < kSentOffsets) {
        m_sentOffsets.push_back(offset);
    } else {
        // The slot's old value, of the previous lap, is forgotten now: everything of the earlier
        // laps counts as forgotten (a resume fails rather than repeat one), and the ring itself is
        // only written, never read, on the delivery path.
        m_sentForgottenUpTo = m_sentEarlierLaps;
        m_sentOffsets[m_sentNext] = offset;
    }
    m_sentThisLap = qMax(m_sentThisLap, offset);
    if (++m_sentNext == kSentOffsets) {
        m_sentNext = 0;
        m_sentEarlierLaps = qMax(m_sentEarlierLaps, std::exchange(m_sentThisLap, 0));
    }
}

} // namespace Switchboard

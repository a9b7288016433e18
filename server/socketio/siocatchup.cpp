// SioConnection's catch-up after a recovery from a shared store (docs/cluster.md,
// "Connection state recovery"): the session and its missed events were read from Redis
// before the socket joined its rooms, so what was recorded in between is read once more,
// while the live events that come meanwhile wait (bounded), and then those are sent. A
// catch-up that cannot be completed closes the transport: the client has been told
// "recovered", and must not go on with a gap (it reconnects and gets a fresh session).

#include "sioconnection.h"

#include <QtCore/QPointer>

#include "core/logging.h"
#include "core/mailbox.h"
#include "rooms/eventstream.h"
#include "server.h"
#include "transport/ioworker.h"

namespace Switchboard {

void SioConnection::catchUp(const QString &nsp)
{
    if (m_catchUpCall != 0)
        return; // one namespace at a time; a second one recovers from what was read with the session
    // From the newest offset read with the session: everything after it is either recorded
    // since (read now) or delivered live from here on (held until the read is in).
    quint64 after = m_saved->prefetchedAfter;
    for (const auto &frame : *m_saved->prefetched)
        after = qMax(after, frame->offset);
    const quint64 call = ++m_catchUpCalls;
    m_catchUpCall = call;
    m_catchUpNsp = nsp;
    m_catchUpAfter = after;
    // What this socket has for sure is what was read with the session: should it close before
    // the catch-up is in, a later recovery of its session reads from there.
    m_connectedOffset = qMin(m_connectedOffset, after);
    EventStream::Reader reader;
    reader.userId = userId();
    reader.connectionId = m_saved->connectionId;
    reader.rooms = m_rooms;
    reader.namespaces = {nsp};
    QPointer<SioConnection> self(this);
    const std::shared_ptr<Mailbox> mailbox = m_worker.mailbox();
    m_server.eventStream().readAfter(after, reader, [self, mailbox, call](EventStream::Read read) {
        mailbox->post([self, call, read = std::move(read)] {
            if (self)
                self->caughtUp(call, read.ok, read.error, read.frames);
        });
    });
}

void SioConnection::caughtUp(quint64 call, bool ok, const QString &error,
                             const std::vector<std::shared_ptr<const OutboundFrame>> &frames)
{
    if (call != m_catchUpCall)
        return;
    if (!ok) {
        abandonRecovery(error);
        return;
    }
    if (!m_session.isClosed()) {
        const auto mine = EventStream::select(frames, userId(), m_saved ? m_saved->connectionId : id(), m_rooms,
                                              m_catchUpNsp, m_catchUpAfter);
        quint64 high = m_catchUpAfter;
        for (const auto &frame : frames)
            high = qMax(high, frame->offset);
        if (!replay(m_catchUpNsp, mine))
            return;
        m_replayedUpTo.insert(m_catchUpNsp, qMax(high, m_replayedUpTo.value(m_catchUpNsp)));
    }
    releaseCatchUp();
}

bool SioConnection::holdForCatchUp(const OutboundFrame &frame)
{
    const QByteArray &message = frame.engineIoMessage();
    qint64 bytes = message.size();
    for (const QByteArray &attachment : frame.attachments)
        bytes += attachment.size();
    m_catchUpHeldBytes += bytes;
    if (m_catchUpHeldBytes > m_server.config().maxPendingBytes) {
        // Bounded like the outbound buffer: what is held cannot be sent before the read is
        // in, and sending it without the read would leave a gap the client cannot see.
        abandonRecovery(QStringLiteral("too many live events meanwhile"));
        return false;
    }
    m_catchUpHeld.push_back({message, frame.engineIoFrame(), frame.attachments, frame.offset});
    return true;
}

void SioConnection::abandonRecovery(const QString &why)
{
    qCInfo(lcWs).noquote() << "Socket.IO connection" << id() << "catch-up after recovery failed (" + why
                                  + "): transport closed, the client reconnects as a new session";
    m_catchUpCall = 0;
    m_catchUpHeld.clear();
    m_catchUpHeldBytes = 0;
    // Not saved (onClose() forgets it): the session it would leave has the gap in it. A
    // transport close, not a DISCONNECT: socket.io-client reconnects by itself.
    m_recoverable = false;
    m_session.close(QStringLiteral("recovery incomplete"));
}

void SioConnection::releaseCatchUp()
{
    m_catchUpCall = 0;
    std::vector<HeldFrame> held;
    held.swap(m_catchUpHeld);
    m_catchUpHeldBytes = 0;
    const quint64 replayed = m_replayedUpTo.value(m_catchUpNsp);
    for (const HeldFrame &frame : held) {
        if (m_session.isClosed())
            return;
        if (frame.offset <= replayed)
            continue; // the catch-up had it
        m_session.sendEncoded(frame.message, frame.frame);
        for (const QByteArray &attachment : frame.attachments)
            m_session.sendBinary(attachment);
        countOut(frame.message.size());
    }
}

} // namespace Switchboard

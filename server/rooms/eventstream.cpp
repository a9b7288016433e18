#include "eventstream.h"

#include "transport/ioworker.h"

namespace Switchboard {

bool EventStream::receives(const OutboundFrame &f, const QString &userId, quint64 connectionId,
                           const QSet<QString> &rooms)
{
    if (!f.room.isEmpty()) {
        bool member = rooms.contains(f.room);
        for (int i = 0; !member && i < f.moreRooms.size(); ++i)
            member = rooms.contains(f.moreRooms.at(i));
        if (!member)
            return false;
    }
    bool excepted = f.exceptConnectionId == connectionId || f.exceptConnectionRooms.contains(connectionId)
        || (!f.exceptUserId.isEmpty() && f.exceptUserId == userId);
    for (int i = 0; !excepted && i < f.exceptRooms.size(); ++i)
        excepted = rooms.contains(f.exceptRooms.at(i));
    return !excepted;
}

bool EventStream::Reader::wants(const OutboundFrame &frame) const
{
    return namespaces.contains(frame.nsp) && receives(frame, userId, connectionId, rooms);
}

EventStream::Frames EventStream::select(const Frames &frames, const QString &userId, quint64 connectionId,
                                        const QSet<QString> &rooms, const QString &nsp, quint64 after)
{
    Frames out;
    for (const auto &frame : frames) {
        if (frame->offset > after && frame->nsp == nsp && receives(*frame, userId, connectionId, rooms))
            out.push_back(frame);
    }
    return out;
}

namespace StreamOffset {

QString text(quint64 offset)
{
    if (offset & kStreamBit)
        return QString::fromLatin1(streamId(offset));
    return QString::number(offset);
}

QByteArray streamId(quint64 offset)
{
    const quint64 bare = offset & ~kStreamBit;
    return QByteArray::number(bare >> 20) + '-' + QByteArray::number(bare & 0xFFFFF);
}

quint64 fromStreamId(const QByteArray &id, bool *ok)
{
    const int dash = id.indexOf('-');
    bool msOk = false, seqOk = false;
    const quint64 ms = dash > 0 ? id.left(dash).toULongLong(&msOk) : 0;
    const quint64 seq = dash > 0 ? id.mid(dash + 1).toULongLong(&seqOk) : 0;
    // 43 bits of milliseconds reach the year 2248; a sequence past 20 bits (a million
    // entries in one millisecond) is not produced by one Redis.
    const bool valid = msOk && seqOk && ms < (quint64(1) << 43) && seq < (quint64(1) << 20);
    if (ok)
        *ok = valid;
    return valid ? kStreamBit | (ms << 20) | seq : 0;
}

quint64 parse(const QString &text, bool *ok)
{
    if (text.contains(QLatin1Char('-')))
        return fromStreamId(text.toLatin1(), ok);
    bool valid = false;
    const quint64 n = text.toULongLong(&valid);
    valid = valid && !(n & kStreamBit);
    if (ok)
        *ok = valid;
    return valid ? n : 0;
}

void stamp(OutboundFrame &frame)
{
    // The native JSON is one object: the field goes before its closing brace.
    if (frame.offset == 0 || !frame.text.endsWith(QLatin1Char('}')))
        return;
    frame.text.chop(1);
    frame.text += QStringLiteral(",\"offset\":\"") + text(frame.offset) + QStringLiteral("\"}");
}

} // namespace StreamOffset

} // namespace Switchboard

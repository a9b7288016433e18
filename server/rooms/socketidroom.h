#pragma once

#include <QtCore/QString>

namespace Switchboard {

/**
 * Socket.IO puts every socket in a room named by its id; Switchboard's connection ids are
 * decimal numbers, and in cluster mode they are prefix << 32 | counter (2^32 and more). A
 * room name of 10 to 20 ASCII digits without a leading zero is therefore reserved: it names
 * the connection with that id, on whichever node it is, and is never an ordinary room that a
 * client or the server could join (docs/cluster.md, docs/security.md).
 */
namespace SocketIdRoom {

/// True when @p room has the reserved form of a connection id.
inline bool isReserved(const QString &room)
{
    if (room.size() < 10 || room.size() > 20 || room.at(0) == QLatin1Char('0'))
        return false;
    for (const QChar c : room) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return false;
    }
    return true;
}

/// The connection id @p room names, or 0 when it is not of the reserved form.
inline quint64 connectionId(const QString &room)
{
    if (!isReserved(room))
        return 0;
    bool ok = false;
    const quint64 id = room.toULongLong(&ok);
    return ok ? id : 0;
}

} // namespace SocketIdRoom
} // namespace Switchboard

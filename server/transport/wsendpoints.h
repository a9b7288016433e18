#pragma once

#include <functional>

#include <QtCore/QHash>
#include <QtCore/QString>

#include "wsstream.h"

namespace Switchboard {

class IoWorker;

/**
 * @brief WebSocket paths served by a layer above the transport (the admin channel on
 * /admin/ws): the transport completes their handshake like /ws's and hands the connection
 * to the path's handler on the I/O thread that accepted it, knowing nothing of what it speaks.
 *
 * Filled before the server starts; read only (by every I/O thread) afterwards.
 */
class WsEndpoints final
{
public:
    /// Takes over @p upgrade (its descriptor) on @p worker's thread.
    using Open = std::function<void(IoWorker &worker, const WsUpgrade &upgrade)>;

    void add(const QString &path, Open open) { m_paths.insert(path, std::move(open)); }
    bool contains(const QString &path) const { return m_paths.contains(path); }
    /// The handler of @p path, or null.
    const Open *find(const QString &path) const
    {
        const auto it = m_paths.constFind(path);
        return it == m_paths.cend() ? nullptr : &*it;
    }

private:
    QHash<QString, Open> m_paths;
};

} // namespace Switchboard

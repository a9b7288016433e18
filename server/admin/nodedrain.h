#pragma once

#include <atomic>

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QTimer>

namespace Switchboard {

class Server;

/**
 * @brief Drains a node (POST /api/admin/drain, the admin channel's "drain"; docs/http-api.md):
 * from then on no new client session is accepted (WebSocket handshakes and Engine.IO
 * handshakes are answered 503 "draining"), and the connections open at that moment are
 * closed with 1001 "server draining" in steps, every 100 ms a fiftieth of them (at least
 * 50), so that clients reconnect to other nodes spread over about five seconds instead of
 * all at once. /health answers 503 "draining" meanwhile. The admin channel and the HTTP API
 * stay up; end() (POST /api/admin/undrain) or start() of the server ends it.
 *
 * Lives in the Server's thread; begin() and isDraining() may be called from any thread.
 */
class NodeDrain final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NodeDrain)

public:
    explicit NodeDrain(Server &server);

    static constexpr int kStepMs = 100;
    static constexpr int kStepsPerDrain = 50;
    static constexpr int kMinPerStep = 50;

    /// Starts draining (any thread): {"draining": true, "connections": n at the start,
    /// "already": whether it was draining before}.
    QJsonObject begin();
    /// Stops draining (any thread): handshakes are accepted again and the connections not
    /// closed yet stay. {"draining": false, "wasDraining": bool, "leftOpen": n}.
    QJsonObject end();
    bool isDraining() const { return m_draining.load(std::memory_order_acquire); }
    /// Connections still to be closed by the drain.
    int remaining() const { return m_remaining.load(std::memory_order_relaxed); }
    /// The server (re)starts: accepting again.
    void reset();

private:
    void step();

    Server &m_server;
    QTimer m_timer;
    std::atomic<bool> m_draining{false};
    std::atomic<int> m_remaining{0};
    QList<quint64> m_toClose; // server thread only
    int m_perStep = kMinPerStep;
};

} // namespace Switchboard

#pragma once

#include <atomic>
#include <memory>

#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QString>

QT_BEGIN_NAMESPACE
class QThread;
QT_END_NAMESPACE

namespace Switchboard {

class IoWorker;
class Server;
struct WsUpgrade;

/**
 * @brief The admin channel (docs/admin-channel.md): authenticated WebSockets on /admin/ws of
 * the node's own port, carrying versioned JSON, through which a remote console watches and
 * steers the node: a summary once a second, detail streams while subscribed, and actions
 * checked against the admin role table and audited like the HTTP admin routes.
 *
 * Each channel's socket lives in the I/O thread that accepted it and only frames bytes (frame
 * size, frame rate and outbound byte caps); everything else (authentication, streams,
 * actions) runs on the channels' own thread, so that filtering and sorting 10,000 connections
 * for a page never holds up an I/O thread. What it sends goes back to the socket's thread,
 * counted against --max-pending-bytes: a console that does not read is dropped with 1008, it
 * never makes the server buffer more.
 *
 * start() / stop() from the Server's thread; open() from an I/O thread.
 */
class AdminChannels final
{
    Q_DISABLE_COPY_MOVE(AdminChannels)

public:
    explicit AdminChannels(Server &server);
    ~AdminChannels();

    static QString path() { return QStringLiteral("/admin/ws"); }
    /// Client frames larger than this close the channel with 1009.
    static constexpr qint64 kMaxFrameBytes = 64 * 1024;
    /// Client frames per second (burst twice that); beyond, they are answered rate_limited.
    static constexpr double kFramesPerSecond = 20;
    /// The hello (the first frame) must come within this long; then 4001.
    static constexpr int kHelloTimeoutMs = 5000;
    /// The hub's tick; the summary and snapshot/diff streams go every fourth.
    static constexpr int kTickMs = 250;

    /// Takes over a WebSocket upgraded on /admin/ws (the I/O thread of @p worker).
    void open(IoWorker &worker, const WsUpgrade &upgrade);
    void start();
    /// Closes every channel with @p code (posted to their I/O threads before the server's
    /// shutdown of them) and stops the channels' thread.
    void stop(int code, const QString &reason);
    int openChannels() const { return m_open.load(std::memory_order_relaxed); }

private:
    struct Link;
    class Hub;
    friend class Hub;

    /// Runs @p task on the hub's thread, if the channels run.
    bool toHub(std::function<void(Hub &)> task);
    void forget(quint64 id);

    Server &m_server;
    std::unique_ptr<QThread> m_thread;
    mutable QMutex m_lock;
    Hub *m_hub = nullptr;                              // under m_lock
    QHash<quint64, std::shared_ptr<Link>> m_links;     // under m_lock: every open channel
    quint64 m_nextId = 1;                              // under m_lock
    std::atomic<int> m_open{0};
};

} // namespace Switchboard

#pragma once

#include <atomic>

#include <QtCore/QByteArray>
#include <QtCore/QMutex>

#include "cluster/redislink.h"
#include "rooms/eventstream.h"

namespace Switchboard {

/**
 * @brief Cluster mode's EventStream: recorded events in one Redis Stream, recoverable
 * Socket.IO sessions in Redis keys with the recovery window as their expiry
 * (docs/cluster.md, "Connection state recovery").
 *
 * An emit is appended with XADD (MAXLEN ~ --recovery-stream-max-len) before it is
 * delivered: the stream id Redis gives it is its offset on every node, and the emitting node
 * delivers and publishes it in the order of the XADD replies, which is the stream's order.
 * The stream may also be trimmed by age (XTRIM MINID ~, --recovery-stream-max-age). Reads
 * page through XRANGE on the link's own thread, keep only the reader's events, bounded by
 * --recovery-replay-max-bytes of those and maxScanBytes of entries scanned, and use XINFO
 * STREAM (the oldest entry kept) to tell whether everything after an offset is still kept.
 * A session names the connection that owns it and is written (a small script: only by its
 * owner) when the socket connects, when its rooms change and every third of the window; a
 * client that comes back takes it with a script that leaves a tombstone naming the taker for
 * the window, so a late write of the old owner cannot bring it back.
 *
 * Has its own RedisLink (its own thread and connections): its reads never wait behind the
 * broker's traffic, and nothing here runs on an I/O thread.
 */
class RedisEventStream final : public EventStream
{
public:
    struct Options
    {
        QString key = QStringLiteral("socket.io"); // --redis-key
        int windowSeconds = 120;
        qint64 maxLen = 100000;
        int maxAgeSeconds = 0;                     // 0: no trimming by age
        qint64 maxReplayBytes = 8 * 1024 * 1024;
        /// Stream entries one read may scan (bytes), the reader's and others' alike.
        qint64 maxScanBytes = 16 * maxReplayBytes;
        int timeoutMs = 3000;
        /// XADDs waiting for Redis hold their events: past this many bytes of them an event
        /// is delivered at once, unrecorded (a stalled Redis must not hold memory).
        qint64 maxPendingBytes = 8 * 1024 * 1024;
    };

    RedisEventStream(RedisUrl url, Options options);
    ~RedisEventStream() override;

    void start();
    void stop();

    bool enabled() const override { return m_options.windowSeconds > 0; }
    bool isShared() const override { return true; }
    void socketOpened() override {}
    void socketClosed() override {}
    quint64 currentOffset() const override;
    void recordThenPost(const std::shared_ptr<OutboundFrame> &frame, std::function<void()> post) override;
    void seen(quint64 offset) override;
    void readAfter(quint64 after, const Reader &reader, std::function<void(Read)> done) const override;
    void track(const QString &pid, const Session &session) override;
    void save(const QString &pid, Session session) override;
    void forget(const QString &pid, quint64 connectionId) override;
    void take(const QString &pid, const QString &userId, quint64 after, quint64 takerId,
              std::function<void(std::optional<Session>)> done) override;
    void prune() override;

    /// The stream entry of a frame, and back (the frame's offset from its stream id).
    static QByteArray encodeFrame(const OutboundFrame &frame);
    static std::shared_ptr<OutboundFrame> decodeFrame(const QByteArray &entry, quint64 offset);

private:
    struct ReadState;
    void readPage(std::shared_ptr<ReadState> state) const;
    void finishRead(std::shared_ptr<ReadState> state) const;
    QByteArray sessionKey(const QString &pid) const;
    /// Who writes a session: this node's instance and the connection.
    QByteArray owner(quint64 connectionId) const;

    const Options m_options;
    mutable RedisLink m_link;
    const QByteArray m_streamKey;
    const QByteArray m_sessionPrefix;
    const QByteArray m_instance; // random: connection ids repeat across nodes and restarts
    std::atomic<quint64> m_lastSeen{0};
    std::atomic<qint64> m_lastTrimMs{0};
    std::atomic<qint64> m_lastErrorLogMs{-1000000};
};

} // namespace Switchboard

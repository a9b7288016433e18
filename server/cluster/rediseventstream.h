#pragma once

#include <atomic>
#include <memory>

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QMap>
#include <QtCore/QMutex>

#include "cluster/redislink.h"
#include "rooms/eventstream.h"

namespace Switchboard {

class RedisStreamTail;

/**
 * @brief Cluster mode's EventStream: recorded events in one Redis Stream, recoverable
 * Socket.IO sessions in Redis keys with the recovery window as their expiry
 * (docs/cluster.md, "Connection state recovery").
 *
 * An emit is appended by one Lua script (StreamRecordScript: XADD, then trimming to
 * --recovery-stream-max-len entries, --recovery-stream-max-bytes and
 * --recovery-stream-max-age, by Redis' clock): the stream id Redis gives it is its offset on
 * every node. Recorded events are delivered from the stream, not from the emit: every node
 * tails it (RedisStreamTail) and hands its entries to its I/O threads in stream order, the
 * emitting node included, so live order is stream order is replay order on every node. An
 * emit that could not be recorded is delivered at once without an offset and leaves a gap:
 * the next record (or the link's reconnection) writes a gap marker entry first, and a read
 * whose range holds a marker fails (docs/cluster.md).
 *
 * Reads page through XRANGE on the link's own thread, keep only the reader's events, bounded
 * by --recovery-replay-max-bytes of those and maxScanBytes() of entries scanned, and use XINFO
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
        qint64 maxScanBytes() const { return 16 * maxReplayBytes; }
        int timeoutMs = 3000;
        /// XADDs waiting for Redis hold their events: past this many bytes of them an event
        /// is delivered at once, unrecorded (a stalled Redis must not hold memory).
        qint64 maxPendingBytes = 8 * 1024 * 1024;
        qint64 maxBytes = 64 * 1024 * 1024;        // --recovery-stream-max-bytes
        /// One entry's share of maxBytes: a larger event is delivered, not recorded (a gap).
        qint64 maxEntryBytes() const { return qMax<qint64>(1024, maxBytes / 16); }
    };
    /// Hands a recorded event (read from the stream, in stream order) to this node's sockets.
    using Deliver = std::function<void(std::shared_ptr<const OutboundFrame>)>;

    RedisEventStream(RedisUrl url, Options options);
    ~RedisEventStream() override;

    void start();
    /// Starts following the stream: every recorded event, this node's and the others', is
    /// handed to @p deliver in stream order (on the tail's thread); @p ready says whether
    /// the sockets can take more (the I/O threads' queued limit), else the tail waits.
    void startTail(Deliver deliver, std::function<bool()> ready);
    void stop();

    bool enabled() const override { return m_options.windowSeconds > 0; }
    bool isShared() const override { return true; }
    void socketOpened() override {}
    void socketClosed() override {}
    quint64 currentOffset() const override;
    void recordThenPost(const std::shared_ptr<OutboundFrame> &frame, std::function<void()> post) override;
    void seen(quint64 offset) override;
    void deliveredUnrecorded(const QString &id) override;
    bool ready() const override { return !enabled() || m_tailBegun.load(std::memory_order_acquire); }
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
    void record(const QByteArray &entry, bool gap, const QByteArray &reason, RedisLink::Done done);
    void writeGap(const QByteArray &reason);
    void tailStarted(const QByteArray &id);
    std::shared_ptr<OutboundFrame> takeOwn(quint64 offset); // under m_tailLock
    /// Under m_tailLock: this node's kept frames below @p bound, in offset order, into @p out.
    void takeOwnBelow(quint64 bound, std::vector<std::shared_ptr<const OutboundFrame>> *out);
    /// Under m_tailLock: @p id went out unrecorded; the stream's copy, should it land, is skipped.
    void rememberUnrecordedLocked(const QString &id);
    /// A record's @p reply: when its gap marker was written, the gaps wanted up to @p wanted are.
    void gapsWrittenBy(const RedisReply &reply, quint64 wanted);
    void tailEntry(const RedisReply &entry);
    void tailRewound();
    void readPage(std::shared_ptr<ReadState> state) const;
    void finishRead(std::shared_ptr<ReadState> state) const;
    QByteArray sessionKey(const QString &pid) const;
    /// Who writes a session: this node's instance and the connection.
    QByteArray owner(quint64 connectionId) const;

    const Options m_options;
    const RedisUrl m_url; // the tail's link connects to it too
    mutable RedisLink m_link;
    const QByteArray m_streamKey;
    const QByteArray m_sessionPrefix;
    const QByteArray m_bytesKey;
    std::unique_ptr<RedisStreamTail> m_tail;
    Deliver m_deliver;
    // Shared by the record replies (the link's thread) and the tail (its own thread).
    QMutex m_tailLock;
    quint64 m_tailLast = 0;
    QMap<quint64, std::shared_ptr<OutboundFrame>> m_own;  // recorded here, not reached by the tail yet
    QHash<quint64, qint64> m_ownBytes;                    // their entries' sizes; the sum is bounded
    qint64 m_ownTotal = 0;
    QHash<QString, quint64> m_inflight;                   // emit id -> the offset the tail saw it at (0: not yet)
    QHash<QString, qint64> m_unrecorded;                  // emit id -> until when: delivered unrecorded, skipped if it lands late
    // Gaps: how many were wanted (a record failed, an event was too large) and written.
    std::atomic<quint64> m_gapsWanted{0};
    std::atomic<quint64> m_gapsWritten{0};
    const QByteArray m_instance; // random: connection ids repeat across nodes and restarts
    std::atomic<quint64> m_lastSeen{0};
    std::atomic<bool> m_tailBegun{false}; // the tail knew where it starts, once
    std::atomic<qint64> m_lastTrimMs{0};
    std::atomic<qint64> m_lastErrorLogMs{-1000000};
};

} // namespace Switchboard

#pragma once

#include <array>
#include <atomic>

#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QMutex>
#include <QtCore/QString>

namespace Switchboard {

/**
 * @brief Emit-to-socket-write latency, in fixed microsecond buckets with atomic counts.
 */
class LatencyHistogram final
{
public:
    static constexpr std::array<qint64, 16> kBoundsUs = {25, 50, 100, 250, 500, 1000, 2500, 5000,
                                                         10000, 25000, 50000, 100000, 250000,
                                                         500000, 1000000, 5000000};
    static constexpr int kBuckets = int(kBoundsUs.size()) + 1; // last = overflow

    /// @p count samples of @p micros: a fan-out records its recipients with one clock read
    /// and one update.
    void record(qint64 micros, quint64 count = 1);
    std::array<quint64, kBuckets> counts() const;
    quint64 sumMicros() const { return m_sumUs.load(std::memory_order_relaxed); }
    /// Upper bound of the bucket holding quantile @p q (0..1), in microseconds; 0 if empty.
    static double quantile(const std::array<quint64, kBuckets> &counts, double q);

private:
    std::array<std::atomic<quint64>, kBuckets> m_counts{};
    std::atomic<quint64> m_sumUs{0};
};

/**
 * @brief Counters and gauges of the server. Relaxed atomics on the hot path; the GUI and the
 * HTTP API read snapshots.
 */
class Metrics final
{
public:
    std::atomic<qint64> connectionsCurrent{0};
    std::atomic<quint64> connectionsTotal{0};
    std::atomic<quint64> messagesIn{0};
    std::atomic<quint64> messagesOut{0};
    std::atomic<quint64> bytesIn{0};
    std::atomic<quint64> bytesOut{0};
    std::atomic<quint64> authFailures{0};
    std::atomic<quint64> rateLimited{0};
    std::atomic<quint64> errors{0};
    std::atomic<quint64> slowConsumers{0};
    std::atomic<quint64> emits{0};
    std::atomic<quint64> emitsRefused{0};     // overloaded
    std::atomic<quint64> httpRequests{0};
    std::atomic<quint64> httpRefused{0}; // refused while read: limits, malformed framing, early 401/403
    std::atomic<quint64> tlsHandshakeFailures{0};
    std::atomic<quint64> offlineStored{0};    // persisted emits kept for offline users
    std::atomic<quint64> offlineDelivered{0}; // ... acknowledged by the user's client
    std::atomic<quint64> offlineDropped{0};   // ... dropped as the oldest over the per-user bound
    std::atomic<quint64> acks{0};             // client acks of acked emits made here (from any node's clients)
    std::atomic<quint64> nacks{0};            // ... negative or timed out
    // Cluster mode (docs/cluster.md).
    std::atomic<quint64> clusterPublished{0};       // emits published to the other nodes
    std::atomic<quint64> clusterPublishFailures{0}; // ... that could not be (Redis down or refusing)
    std::atomic<quint64> clusterReceived{0};        // emits and requests from other nodes, emitters, the JSON channel
    std::atomic<quint64> clusterMalformed{0};       // messages from Redis that could not be read
    LatencyHistogram latency;

    void countClose(int code);
    QMap<int, quint64> closesByCode() const;

    /// Distinct event names counted one by one; later new names are counted under "other".
    static constexpr int kMaxTrackedEvents = 256;
    static QString otherEventsKey() { return QStringLiteral("other"); }

    void countEvent(const QString &name);
    /// Count per event name: the first kMaxTrackedEvents distinct names, plus "other" for
    /// every later one (when there were any), so the map stays small whatever clients send.
    QHash<QString, quint64> eventsByName() const;

private:
    mutable QMutex m_mutex;
    QMap<int, quint64> m_closes;
    mutable QMutex m_eventsMutex;
    QHash<QString, quint64> m_events;
    quint64 m_otherEvents = 0;
};

/// One per-second sample, kept for the console's charts and the rates in the HTTP API.
struct MetricsSample
{
    qint64 timestampMs = 0;
    qint64 connections = 0;
    qint64 users = 0;
    qint64 rooms = 0;
    double messagesInPerSec = 0;
    double messagesOutPerSec = 0;
    double bytesInPerSec = 0;
    double bytesOutPerSec = 0;
    double errorsPerSec = 0;
    double p50Ms = 0;
    double p95Ms = 0;
    double p99Ms = 0;
    qint64 queueDepth = 0;
};

/// A Prometheus label value from a client- or operator-chosen string: backslash, double quote
/// and newline escaped, so no name can break the exposition.
QByteArray prometheusLabelValue(const QString &value);
/// Appends @p histogram in seconds as Prometheus histogram @p name (its _bucket, _sum and
/// _count lines); @p labels, when not empty, is "key=\"value\"" (escaped) put before "le".
void appendPrometheusHistogram(QByteArray &out, const char *name, const QByteArray &labels,
                               const LatencyHistogram &histogram);

} // namespace Switchboard

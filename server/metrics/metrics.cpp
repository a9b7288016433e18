#include "metrics.h"

#include <algorithm>

namespace Switchboard {

void LatencyHistogram::record(qint64 micros, quint64 count)
{
    if (count == 0)
        return;
    const auto it = std::lower_bound(kBoundsUs.begin(), kBoundsUs.end(), micros);
    m_counts[size_t(it - kBoundsUs.begin())].fetch_add(count, std::memory_order_relaxed);
    m_sumUs.fetch_add(quint64(qMax<qint64>(0, micros)) * count, std::memory_order_relaxed);
}

std::array<quint64, LatencyHistogram::kBuckets> LatencyHistogram::counts() const
{
    std::array<quint64, kBuckets> out{};
    for (int i = 0; i < kBuckets; ++i)
        out[size_t(i)] = m_counts[size_t(i)].load(std::memory_order_relaxed);
    return out;
}

double LatencyHistogram::quantile(const std::array<quint64, kBuckets> &counts, double q)
{
    quint64 total = 0;
    for (quint64 c : counts)
        total += c;
    if (total == 0)
        return 0;
    const quint64 rank = quint64(q * double(total - 1)) + 1;
    quint64 seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += counts[size_t(i)];
        if (seen >= rank)
            return i < int(kBoundsUs.size()) ? double(kBoundsUs[size_t(i)]) : double(kBoundsUs.back()) * 2;
    }
    return double(kBoundsUs.back()) * 2;
}

void Metrics::countClose(int code)
{
    QMutexLocker lock(&m_mutex);
    ++m_closes[code];
}

QMap<int, quint64> Metrics::closesByCode() const
{
    QMutexLocker lock(&m_mutex);
    return m_closes;
}

void Metrics::countEvent(const QString &name)
{
    QMutexLocker lock(&m_eventsMutex);
    const auto it = m_events.find(name);
    if (it != m_events.end())
        ++*it;
    else if (m_events.size() < kMaxTrackedEvents)
        m_events.insert(name, 1);
    else
        ++m_otherEvents;
}

QHash<QString, quint64> Metrics::eventsByName() const
{
    QHash<QString, quint64> copy;
    quint64 other = 0;
    {
        QMutexLocker lock(&m_eventsMutex);
        // A deep copy: a shared one would make the next countEvent() detach under the lock.
        copy.reserve(m_events.size() + 1);
        for (auto it = m_events.cbegin(); it != m_events.cend(); ++it)
            copy.insert(it.key(), it.value());
        other = m_otherEvents;
    }
    if (other > 0)
        copy[otherEventsKey()] += other;
    return copy;
}

QByteArray prometheusLabelValue(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

void appendPrometheusHistogram(QByteArray &out, const char *name, const QByteArray &labels,
                               const LatencyHistogram &histogram)
{
    const QByteArray prefix = labels.isEmpty() ? QByteArray("{") : "{" + labels + ',';
    const QByteArray suffix = labels.isEmpty() ? QByteArray() : "{" + labels + '}';
    const auto counts = histogram.counts();
    quint64 cumulative = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        const QByteArray le = i < LatencyHistogram::kBoundsUs.size()
            ? QByteArray::number(double(LatencyHistogram::kBoundsUs[i]) / 1e6, 'g', 6) : QByteArray("+Inf");
        out += name + QByteArray("_bucket") + prefix + "le=\"" + le + "\"} " + QByteArray::number(cumulative) + '\n';
    }
    out += name + QByteArray("_sum") + suffix + ' ' + QByteArray::number(double(histogram.sumMicros()) / 1e6, 'f', 6) + '\n';
    out += name + QByteArray("_count") + suffix + ' ' + QByteArray::number(cumulative) + '\n';
}

} // namespace Switchboard

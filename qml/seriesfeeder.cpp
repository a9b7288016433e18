#include "seriesfeeder.h"

#include <cmath>

#include <QtCharts/QXYSeries>

#include "consolecontext.h"
#include "server.h"

namespace Switchboard {

SeriesFeeder::SeriesFeeder(QObject *parent) : SeriesFeeder(ConsoleContext::server(), parent)
{
}

SeriesFeeder::SeriesFeeder(Server *server, QObject *parent) : QObject(parent), m_server(server)
{
    if (m_server)
        connect(m_server, &Server::sampled, this, &SeriesFeeder::refresh);
    refresh();
}

void SeriesFeeder::setSeries(QObject *series)
{
    if (m_series == series)
        return;
    m_series = series;
    Q_EMIT seriesChanged();
    refresh();
}

void SeriesFeeder::setMetric(Metric metric)
{
    if (m_metric == metric)
        return;
    m_metric = metric;
    Q_EMIT metricChanged();
    refresh();
}

void SeriesFeeder::setWindowSeconds(int seconds)
{
    seconds = qBound(10, seconds, 900);
    if (m_window == seconds)
        return;
    m_window = seconds;
    Q_EMIT windowSecondsChanged();
    refresh();
}

double SeriesFeeder::niceCeiling(double value, double floor)
{
    value = qMax(value, floor);
    if (value <= 0)
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (double step : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (value <= step * magnitude)
            return step * magnitude;
    }
    return 10 * magnitude;
}

void SeriesFeeder::refresh()
{
    if (!m_server)
        return;
    const QList<MetricsSample> history = m_server->history();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 newest = history.isEmpty() ? now : history.last().timestampMs;
    const qint64 oldest = newest - qint64(m_window) * 1000;

    QList<QPointF> points;
    points.reserve(qMin<qsizetype>(history.size(), m_window + 1));
    double max = 0;
    for (const MetricsSample &s : history) {
        if (s.timestampMs < oldest)
            continue;
        double v = 0;
        switch (m_metric) {
        case Connections: v = double(s.connections); break;
        case Users: v = double(s.users); break;
        case Rooms: v = double(s.rooms); break;
        case EventsIn: v = s.messagesInPerSec; break;
        case EventsOut: v = s.messagesOutPerSec; break;
        case QueueDepth: v = double(s.queueDepth); break;
        case P50: v = s.p50Ms; break;
        case P95: v = s.p95Ms; break;
        case P99: v = s.p99Ms; break;
        case Errors: v = s.errorsPerSec; break;
        }
        max = qMax(max, v);
        points.append(QPointF(double(s.timestampMs), v));
    }
    m_points = int(points.size());
    m_last = points.isEmpty() ? 0 : points.last().y();
    m_max = niceCeiling(max * 1.1, m_metric >= P50 && m_metric <= P99 ? 0.1 : 1.0);
    m_minTime = QDateTime::fromMSecsSinceEpoch(oldest);
    m_maxTime = QDateTime::fromMSecsSinceEpoch(newest);
    if (auto *xy = qobject_cast<QXYSeries *>(m_series.data()))
        xy->replace(points);
    Q_EMIT updated();
}

} // namespace Switchboard

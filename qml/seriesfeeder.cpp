#include "seriesfeeder.h"

#include <cmath>

#include <QtCharts/QDateTimeAxis>
#include <QtCharts/QValueAxis>
#include <QtCharts/QXYSeries>

#include "consolecontext.h"

namespace Switchboard {

SeriesFeeder::SeriesFeeder(QObject *parent) : SeriesFeeder(ConsoleContext::source(), parent)
{
}

SeriesFeeder::SeriesFeeder(Server *server, QObject *parent) : QObject(parent), m_source(server)
{
    init();
}

SeriesFeeder::SeriesFeeder(ConsoleSource *source, QObject *parent) : QObject(parent), m_source(source)
{
    init();
}

void SeriesFeeder::init()
{
    // Queue metrics refresh on their model's sample instead, which follows this one.
    if (m_source)
        connect(m_source.get(), &ConsoleSource::sampled, this, [this] {
            if (!isQueueMetric())
                refresh();
        });
    refresh();
}

void SeriesFeeder::setQueues(QueuesModel *queues)
{
    if (m_queues == queues)
        return;
    disconnect(m_queuesConnection);
    m_queues = queues;
    if (m_queues)
        m_queuesConnection = connect(m_queues, &QueuesModel::sampled, this, [this] {
            if (isQueueMetric())
                refresh();
        });
    Q_EMIT queuesChanged();
    refresh();
}

void SeriesFeeder::setQueue(const QString &queue)
{
    if (m_queue == queue)
        return;
    m_queue = queue;
    Q_EMIT queueChanged();
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
    if (isQueueMetric()) {
        refreshQueue();
        return;
    }
    if (!m_source)
        return;
    const QList<MetricsSample> history = m_source->history();
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
        case QueueReady: case QueueInFlight: case QueueDelayed: case QueueDead: break;
        }
        max = qMax(max, v);
        points.append(QPointF(double(s.timestampMs), v));
    }
    m_points = int(points.size());
    m_last = points.isEmpty() ? 0 : points.last().y();
    m_dataMax = max;
    m_max = niceCeiling(max * 1.1, m_metric >= P50 && m_metric <= P99 ? 0.1 : 1.0);
    m_minTime = QDateTime::fromMSecsSinceEpoch(oldest);
    m_maxTime = QDateTime::fromMSecsSinceEpoch(newest);
    if (auto *xy = qobject_cast<QXYSeries *>(m_series.data()))
        xy->replace(points);
    Q_EMIT updated();
}

void SeriesFeeder::refreshQueue()
{
    qint64 newest = QDateTime::currentMSecsSinceEpoch();
    QList<QPointF> points;
    if (m_queues) {
        const auto state = QueuesModel::State(m_metric - QueueReady);
        points = m_queues->depthHistory(m_queue, state, m_window, &newest);
    }
    double max = 0;
    for (const QPointF &p : std::as_const(points))
        max = qMax(max, p.y());
    m_points = int(points.size());
    m_last = points.isEmpty() ? 0 : points.last().y();
    m_dataMax = max;
    m_max = niceCeiling(max * 1.1, 1.0);
    m_minTime = QDateTime::fromMSecsSinceEpoch(newest - qint64(m_window) * 1000);
    m_maxTime = QDateTime::fromMSecsSinceEpoch(newest);
    if (auto *xy = qobject_cast<QXYSeries *>(m_series.data()))
        xy->replace(points);
    Q_EMIT updated();
}

ChartAxes::ChartAxes(QObject *parent) : QObject(parent)
{
}

void ChartAxes::setAxisX(QObject *axis)
{
    if (m_axisX == axis)
        return;
    m_axisX = axis;
    Q_EMIT axisXChanged();
    schedule();
}

void ChartAxes::setAxisY(QObject *axis)
{
    if (m_axisY == axis)
        return;
    m_axisY = axis;
    Q_EMIT axisYChanged();
    schedule();
}

void ChartAxes::setMinimumMax(double value)
{
    if (qFuzzyCompare(m_minimumMax, value))
        return;
    m_minimumMax = value;
    Q_EMIT minimumMaxChanged();
    schedule();
}

void ChartAxes::setIntegerSteps(bool integer)
{
    if (m_integerSteps == integer)
        return;
    m_integerSteps = integer;
    Q_EMIT integerStepsChanged();
    schedule();
}

QQmlListProperty<SeriesFeeder> ChartAxes::feeders()
{
    return QQmlListProperty<SeriesFeeder>(
        this, &m_feeders,
        [](QQmlListProperty<SeriesFeeder> *list, SeriesFeeder *feeder) {
            static_cast<ChartAxes *>(list->object)->addFeeder(feeder);
        },
        [](QQmlListProperty<SeriesFeeder> *list) {
            return static_cast<QList<SeriesFeeder *> *>(list->data)->size();
        },
        [](QQmlListProperty<SeriesFeeder> *list, qsizetype i) {
            return static_cast<QList<SeriesFeeder *> *>(list->data)->at(i);
        },
        [](QQmlListProperty<SeriesFeeder> *list) {
            auto *self = static_cast<ChartAxes *>(list->object);
            for (SeriesFeeder *f : std::as_const(self->m_feeders))
                QObject::disconnect(f, nullptr, self, nullptr);
            self->m_feeders.clear();
            self->schedule();
        });
}

void ChartAxes::addFeeder(SeriesFeeder *feeder)
{
    if (!feeder || m_feeders.contains(feeder))
        return;
    m_feeders.append(feeder);
    connect(feeder, &SeriesFeeder::updated, this, &ChartAxes::schedule);
    connect(feeder, &QObject::destroyed, this, [this, feeder] { m_feeders.removeAll(feeder); });
    schedule();
}

// The feeders of one chart refresh one after the other on the same sample; scale once,
// after the last of them.
void ChartAxes::schedule()
{
    if (m_scheduled)
        return;
    m_scheduled = true;
    QMetaObject::invokeMethod(this, &ChartAxes::apply, Qt::QueuedConnection);
}

ChartAxes::Scale ChartAxes::niceScale(double value, double floor, bool integerSteps)
{
    Scale scale;
    // 5 % headroom so the top of the line does not run along the frame; none for the empty
    // chart, which shows 0 … floor.
    double target = value * 1.05;
    if (!(value > 0) || !std::isfinite(value))
        target = floor > 0 ? floor : 1.0;
    const double rawStep = target / 5;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rawStep)));
    double step = 10 * magnitude;
    for (double m : {1.0, 2.0, 5.0}) {
        if (m * magnitude >= rawStep) {
            step = m * magnitude;
            break;
        }
    }
    if (integerSteps)
        step = qMax(1.0, std::round(step));
    scale.step = step;
    scale.max = std::ceil(target / step - 1e-9) * step;
    scale.decimals = step >= 1 ? 0 : qBound(0, int(std::ceil(-std::log10(step) - 1e-9)), 3);
    return scale;
}

void ChartAxes::apply()
{
    m_scheduled = false;
    double dataMax = 0;
    SeriesFeeder *timeSource = nullptr;
    for (SeriesFeeder *f : std::as_const(m_feeders)) {
        if (!f->series())
            continue;
        dataMax = qMax(dataMax, f->dataMax());
        if (!timeSource)
            timeSource = f;
    }
    m_scale = niceScale(dataMax, m_minimumMax, m_integerSteps);
    if (auto *y = qobject_cast<QValueAxis *>(m_axisY.data())) {
        y->setTickType(QValueAxis::TicksDynamic);
        y->setTickAnchor(0);
        y->setTickInterval(m_scale.step);
        y->setLabelFormat(QStringLiteral("%.%1f").arg(m_scale.decimals));
        y->setRange(0, m_scale.max);
    }
    if (auto *x = qobject_cast<QDateTimeAxis *>(m_axisX.data()); x && timeSource && timeSource->minTime().isValid())
        x->setRange(timeSource->minTime(), timeSource->maxTime());
    Q_EMIT applied();
}

} // namespace Switchboard

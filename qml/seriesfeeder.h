#pragma once

#include <QtCore/QDateTime>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtQml/QQmlListProperty>
#include <QtQml/qqmlregistration.h>

#include "source/sourceref.h"

#include "queuesmodel.h"

namespace Switchboard {

class ConsoleSource;
class Server;

/**
 * @brief Feeds one chart series from the server's per-second history.
 *
 * On every new sample (once a second) it rebuilds the points of the selected window and
 * hands them to the series in one QXYSeries::replace() call, so the chart redraws once per
 * second no matter how busy the server is. It also publishes the axis ranges.
 *
 * The Queue* metrics (depth of one state of a durable queue) come from the history that a
 * QueuesModel keeps instead: set @c queues to it and @c queue to a queue name (empty for all
 * queues summed); the feeder then refreshes when that model takes a sample.
 */
class SeriesFeeder : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    // QObject rather than QXYSeries: QML's LineSeries derives from it, and this keeps the
    // module's type information free of a QtCharts dependency.
    Q_PROPERTY(QObject *series READ series WRITE setSeries NOTIFY seriesChanged)
    Q_PROPERTY(Metric metric READ metric WRITE setMetric NOTIFY metricChanged)
    Q_PROPERTY(int windowSeconds READ windowSeconds WRITE setWindowSeconds NOTIFY windowSecondsChanged)
    Q_PROPERTY(Switchboard::QueuesModel *queues READ queues WRITE setQueues NOTIFY queuesChanged)
    Q_PROPERTY(QString queue READ queue WRITE setQueue NOTIFY queueChanged)
    Q_PROPERTY(double maxValue READ maxValue NOTIFY updated)
    Q_PROPERTY(double dataMax READ dataMax NOTIFY updated)
    Q_PROPERTY(double lastValue READ lastValue NOTIFY updated)
    Q_PROPERTY(QDateTime minTime READ minTime NOTIFY updated)
    Q_PROPERTY(QDateTime maxTime READ maxTime NOTIFY updated)
    Q_PROPERTY(int pointCount READ pointCount NOTIFY updated)

public:
    enum Metric { Connections, Users, Rooms, EventsIn, EventsOut, QueueDepth, P50, P95, P99, Errors,
                  QueueReady, QueueInFlight, QueueDelayed, QueueDead };
    Q_ENUM(Metric)

    explicit SeriesFeeder(QObject *parent = nullptr);
    SeriesFeeder(Server *server, QObject *parent);
    SeriesFeeder(ConsoleSource *source, QObject *parent);

    QObject *series() const { return m_series; }
    void setSeries(QObject *series);
    Metric metric() const { return m_metric; }
    void setMetric(Metric metric);
    int windowSeconds() const { return m_window; }
    void setWindowSeconds(int seconds);
    QueuesModel *queues() const { return m_queues; }
    void setQueues(QueuesModel *queues);
    QString queue() const { return m_queue; }
    void setQueue(const QString &queue);
    bool isQueueMetric() const { return m_metric >= QueueReady; }
    double maxValue() const { return m_max; }
    /// The largest point in the window (maxValue is that, rounded up for an axis).
    double dataMax() const { return m_dataMax; }
    double lastValue() const { return m_last; }
    QDateTime minTime() const { return m_minTime; }
    QDateTime maxTime() const { return m_maxTime; }
    int pointCount() const { return m_points; }

    Q_INVOKABLE void refresh();
    /// A round axis maximum at or above @p value (1, 2, 5 × 10^n), at least @p floor.
    Q_INVOKABLE static double niceCeiling(double value, double floor = 1.0);

Q_SIGNALS:
    void seriesChanged();
    void metricChanged();
    void windowSecondsChanged();
    void queuesChanged();
    void queueChanged();
    void updated();

private:
    void refreshQueue();
    void init();

    SourceRef m_source{static_cast<ConsoleSource *>(nullptr)};
    QPointer<QObject> m_series;
    QPointer<QueuesModel> m_queues;
    QMetaObject::Connection m_queuesConnection;
    QString m_queue;
    Metric m_metric = Connections;
    int m_window = 300;
    double m_max = 1;
    double m_dataMax = 0;
    double m_last = 0;
    QDateTime m_minTime;
    QDateTime m_maxTime;
    int m_points = 0;
};

/**
 * @brief Scales a chart's axes to what its feeders show.
 *
 * After the feeders of one chart refreshed (once a second, or when the window changes) it
 * sets the value axis to 0 … a round maximum above the largest point of all of them, with
 * ticks at a round step, and the time axis to the feeders' window. It sets the ranges on the
 * axis objects directly rather than through QML bindings: QtCharts resets an axis' range
 * when series attach to it, and a binding whose value did not change would never put it back.
 */
class ChartAxes : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QObject *axisX READ axisX WRITE setAxisX NOTIFY axisXChanged)
    Q_PROPERTY(QObject *axisY READ axisY WRITE setAxisY NOTIFY axisYChanged)
    Q_PROPERTY(QQmlListProperty<Switchboard::SeriesFeeder> feeders READ feeders)
    Q_PROPERTY(double minimumMax READ minimumMax WRITE setMinimumMax NOTIFY minimumMaxChanged)
    Q_PROPERTY(bool integerSteps READ integerSteps WRITE setIntegerSteps NOTIFY integerStepsChanged)
    Q_PROPERTY(double max READ max NOTIFY applied)
    Q_PROPERTY(double step READ step NOTIFY applied)
    Q_CLASSINFO("DefaultProperty", "feeders")

public:
    struct Scale
    {
        double max = 1;
        double step = 0.25;
        int decimals = 2;
    };

    explicit ChartAxes(QObject *parent = nullptr);

    QObject *axisX() const { return m_axisX; }
    void setAxisX(QObject *axis);
    QObject *axisY() const { return m_axisY; }
    void setAxisY(QObject *axis);
    QQmlListProperty<SeriesFeeder> feeders();
    double minimumMax() const { return m_minimumMax; }
    void setMinimumMax(double value);
    bool integerSteps() const { return m_integerSteps; }
    void setIntegerSteps(bool integer);
    double max() const { return m_scale.max; }
    double step() const { return m_scale.step; }

    /// 0 … max in 3 to 6 steps of 1, 2 or 5 × 10^n, with some headroom above @p value;
    /// @p floor when there is no data; whole steps when @p integerSteps.
    static Scale niceScale(double value, double floor = 1.0, bool integerSteps = false);

    Q_INVOKABLE void apply();

Q_SIGNALS:
    void axisXChanged();
    void axisYChanged();
    void minimumMaxChanged();
    void integerStepsChanged();
    void applied();

private:
    void addFeeder(SeriesFeeder *feeder);
    void schedule();

    QPointer<QObject> m_axisX;
    QPointer<QObject> m_axisY;
    QList<SeriesFeeder *> m_feeders;
    double m_minimumMax = 1;
    bool m_integerSteps = false;
    bool m_scheduled = false;
    Scale m_scale;
};

} // namespace Switchboard

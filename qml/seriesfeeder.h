#pragma once

#include <QtCore/QDateTime>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtQml/qqmlregistration.h>

namespace Switchboard {

class Server;

/**
 * @brief Feeds one chart series from the server's per-second history.
 *
 * On every new sample (once a second) it rebuilds the points of the selected window and
 * hands them to the series in one QXYSeries::replace() call, so the chart redraws once per
 * second no matter how busy the server is. It also publishes the axis ranges.
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
    Q_PROPERTY(double maxValue READ maxValue NOTIFY updated)
    Q_PROPERTY(double lastValue READ lastValue NOTIFY updated)
    Q_PROPERTY(QDateTime minTime READ minTime NOTIFY updated)
    Q_PROPERTY(QDateTime maxTime READ maxTime NOTIFY updated)
    Q_PROPERTY(int pointCount READ pointCount NOTIFY updated)

public:
    enum Metric { Connections, Users, Rooms, EventsIn, EventsOut, QueueDepth, P50, P95, P99, Errors };
    Q_ENUM(Metric)

    explicit SeriesFeeder(QObject *parent = nullptr);
    SeriesFeeder(Server *server, QObject *parent);

    QObject *series() const { return m_series; }
    void setSeries(QObject *series);
    Metric metric() const { return m_metric; }
    void setMetric(Metric metric);
    int windowSeconds() const { return m_window; }
    void setWindowSeconds(int seconds);
    double maxValue() const { return m_max; }
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
    void updated();

private:
    Server *m_server = nullptr;
    QPointer<QObject> m_series;
    Metric m_metric = Connections;
    int m_window = 300;
    double m_max = 1;
    double m_last = 0;
    QDateTime m_minTime;
    QDateTime m_maxTime;
    int m_points = 0;
};

} // namespace Switchboard

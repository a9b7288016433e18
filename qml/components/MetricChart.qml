pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtCharts
import Switchboard.Console

// A live line chart of up to four metrics over the selected window. Points come from C++
// (SeriesFeeder → QXYSeries::replace()) once a second; animations are off. Server metrics
// come from the server's history; the Queue* metrics from `queues` (a QueuesModel), for
// `queue` (empty: all queues).
Card {
    id: chartCard

    property int windowSeconds: 300
    property int metric1: SeriesFeeder.Connections
    property int metric2: -1
    property int metric3: -1
    property int metric4: -1
    property string name1
    property string name2
    property string name3
    property string name4
    property color color1: Theme.series1
    property color color2: Theme.series2
    property color color3: Theme.series3
    property color color4: Theme.series4
    property QueuesModel queues: null
    property string queue
    property string unit
    property int decimals: 0
    property real minimumMax: 1

    // The value axis' current maximum and tick step (set by ChartAxes from the data).
    readonly property real axisMax: axes.max
    readonly property real axisStep: axes.step
    readonly property alias chart: chartView

    implicitHeight: 260

    // Where the legend goes: the header (beside the title), or above the plot, where it may
    // wrap and leaves the title its width (narrow cards with four series).
    property bool legendInBody: false
    readonly property var legendModel: [
        { name: chartCard.name1, color: chartCard.color1, value: feeder1.lastValue, used: true },
        { name: chartCard.name2, color: chartCard.color2, value: feeder2.lastValue, used: chartCard.metric2 >= 0 },
        { name: chartCard.name3, color: chartCard.color3, value: feeder3.lastValue, used: chartCard.metric3 >= 0 },
        { name: chartCard.name4, color: chartCard.color4, value: feeder4.lastValue, used: chartCard.metric4 >= 0 }
    ]

    Component {
        id: legendEntry
        Row {
            id: entry
            required property var modelData
            visible: modelData.used
            spacing: 4
            Rectangle {
                anchors.verticalCenter: parent.verticalCenter
                width: 10
                height: 3
                radius: 1
                color: entry.modelData.color
            }
            Label {
                text: entry.modelData.name + " " + Number(entry.modelData.value).toLocaleString(Qt.locale(), "f", chartCard.decimals)
                      + (chartCard.unit.length > 0 ? " " + chartCard.unit : "")
                color: Theme.textMuted
                font.pixelSize: Theme.fontSmall
                rightPadding: 6
            }
        }
    }

    actions: [
        Repeater {
            model: chartCard.legendInBody ? [] : chartCard.legendModel
            delegate: legendEntry
        }
    ]

    ChartView {
        id: chartView
        anchors {
            left: parent.left; right: parent.right; bottom: parent.bottom
            top: bodyLegend.visible ? bodyLegend.bottom : parent.top
            topMargin: bodyLegend.visible ? 2 : 0
        }
        implicitHeight: 200
        antialiasing: true
        animationOptions: ChartView.NoAnimation
        legend.visible: false
        backgroundColor: "transparent"
        plotAreaColor: "transparent"
        backgroundRoundness: 0
        margins { top: 4; bottom: 0; left: 0; right: 4 }

        DateTimeAxis {
            id: axisX
            format: chartCard.windowSeconds > 300 ? "HH:mm" : "HH:mm:ss"
            // Fewer time labels on a narrow chart, so they do not run into each other.
            tickCount: chartView.width >= 520 ? 6 : chartView.width >= 340 ? 4 : 3
            labelsColor: Theme.textMuted
            labelsFont.pixelSize: 10
            gridLineColor: Theme.border
            lineVisible: false
            color: Theme.border
        }
        ValueAxis {
            id: axisY
            labelsColor: Theme.textMuted
            labelsFont.pixelSize: 10
            gridLineColor: Theme.border
            lineVisible: false
            color: Theme.border
        }
        LineSeries {
            id: series1
            name: chartCard.name1
            axisX: axisX
            axisY: axisY
            color: chartCard.color1
            width: 2
            useOpenGL: false
        }
        LineSeries {
            id: series2
            name: chartCard.name2
            axisX: axisX
            axisY: axisY
            color: chartCard.color2
            width: 2
            visible: chartCard.metric2 >= 0
        }
        LineSeries {
            id: series3
            name: chartCard.name3
            axisX: axisX
            axisY: axisY
            color: chartCard.color3
            width: 2
            visible: chartCard.metric3 >= 0
        }
        LineSeries {
            id: series4
            name: chartCard.name4
            axisX: axisX
            axisY: axisY
            color: chartCard.color4
            width: 2
            visible: chartCard.metric4 >= 0
        }
    }

    Flow {
        id: bodyLegend
        objectName: "chartLegend"
        visible: chartCard.legendInBody
        anchors { left: parent.left; right: parent.right; top: parent.top }
        spacing: 6
        Repeater {
            model: chartCard.legendInBody ? chartCard.legendModel : []
            delegate: legendEntry
        }
    }

    // Ranges of both axes, from C++: 0 … a round maximum above the data, and the window.
    ChartAxes {
        id: axes
        axisX: axisX
        axisY: axisY
        minimumMax: chartCard.minimumMax
        integerSteps: chartCard.decimals === 0 && chartCard.minimumMax >= 1
        feeders: [feeder1, feeder2, feeder3, feeder4]
    }

    SeriesFeeder {
        id: feeder1
        series: series1
        metric: chartCard.metric1
        windowSeconds: chartCard.windowSeconds
        queues: chartCard.queues
        queue: chartCard.queue
    }
    SeriesFeeder {
        id: feeder2
        series: chartCard.metric2 >= 0 ? series2 : null
        metric: Math.max(0, chartCard.metric2)
        windowSeconds: chartCard.windowSeconds
        queues: chartCard.queues
        queue: chartCard.queue
    }
    SeriesFeeder {
        id: feeder3
        series: chartCard.metric3 >= 0 ? series3 : null
        metric: Math.max(0, chartCard.metric3)
        windowSeconds: chartCard.windowSeconds
        queues: chartCard.queues
        queue: chartCard.queue
    }
    SeriesFeeder {
        id: feeder4
        series: chartCard.metric4 >= 0 ? series4 : null
        metric: Math.max(0, chartCard.metric4)
        windowSeconds: chartCard.windowSeconds
        queues: chartCard.queues
        queue: chartCard.queue
    }
}

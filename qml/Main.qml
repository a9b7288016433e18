pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

ApplicationWindow {
    id: window
    objectName: "mainWindow"
    width: 720
    height: 360
    visible: true
    title: qsTr("Switchboard")

    ColumnLayout {
        anchors.centerIn: parent
        spacing: 12
        Label {
            objectName: "urlLabel"
            text: qsTr("Listening on %1").arg(ServerStatus.url)
            font.pixelSize: 20
        }
        Label {
            objectName: "connectionCountLabel"
            text: qsTr("%n connection(s)", "", ServerStatus.connections)
            font.pixelSize: 32
        }
    }
}

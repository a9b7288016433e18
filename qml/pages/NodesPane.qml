pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// Nodes of the cluster the console's node belongs to (summary.nodes): one row each, and a
// click filters the Connections table by that node ("All nodes" clears it).
ColumnLayout {
    id: pane
    objectName: "nodesPane"

    property string selectedNode
    signal nodeSelected(string name)

    visible: ServerStatus.clustered
    spacing: 4

    Label { text: qsTr("Nodes"); font.weight: Font.DemiBold; color: Theme.text }
    Flow {
        Layout.fillWidth: true
        spacing: 6
        Button {
            objectName: "nodeFilter_all"
            text: qsTr("All nodes")
            checkable: true
            checked: pane.selectedNode.length === 0
            onClicked: pane.nodeSelected("")
        }
        Repeater {
            model: ServerStatus.clusterNodes
            delegate: Button {
                id: nodeButton
                required property var modelData
                readonly property string nodeName: modelData.name
                objectName: "nodeFilter_" + nodeName
                checkable: true
                checked: pane.selectedNode === nodeName
                text: qsTr("%1 · %2 conn. · %3").arg(nodeName).arg(modelData.connections)
                          .arg(modelData.state !== undefined ? modelData.state : (modelData.up ? qsTr("up") : qsTr("gone")))
                onClicked: pane.nodeSelected(nodeName)
            }
        }
    }
}

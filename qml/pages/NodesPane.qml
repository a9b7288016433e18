pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// Nodes of the cluster the console's remote node belongs to (summary.nodes): a click on a
// node shows its rows (the Connections or Rooms stream asked with "node": its name), "All
// nodes" every node's ("node": "*", each row says its node). Nothing selected ("") is the
// attached node's own rows. Only for a remote node: the embedded server lists its own.
ColumnLayout {
    id: pane
    objectName: "nodesPane"

    // "" (the attached node), a node's name, or "*" (all nodes).
    property string selectedNode
    // Set by the page when the node could not answer the query (an older version).
    property string problem
    // Prefix of the buttons' objectNames ("nodeFilter_" on Connections, "roomsNodeFilter_" on Rooms).
    property string namePrefix: "nodeFilter_"
    signal nodeSelected(string name)

    visible: ServerStatus.remote && ServerStatus.clustered
    spacing: 4

    Label { text: qsTr("Nodes"); font.weight: Font.DemiBold; color: Theme.text }
    Flow {
        Layout.fillWidth: true
        spacing: 6
        Button {
            objectName: pane.namePrefix + "all"
            text: qsTr("All nodes")
            checkable: true
            checked: pane.selectedNode === "*"
            onClicked: pane.nodeSelected("*")
        }
        Repeater {
            model: ServerStatus.clusterNodes
            delegate: Button {
                id: nodeButton
                required property var modelData
                readonly property string nodeName: modelData.name
                readonly property bool self: modelData.self === true || nodeName === ServerStatus.nodeName
                objectName: pane.namePrefix + nodeName
                checkable: true
                checked: pane.selectedNode === nodeName || (self && pane.selectedNode.length === 0)
                text: qsTr("%1 · %2 conn. · %3").arg(nodeName).arg(modelData.connections)
                          .arg(modelData.state !== undefined ? modelData.state : (modelData.up ? qsTr("up") : qsTr("gone")))
                // The attached node's own rows need no node query: older nodes answer that too.
                onClicked: pane.nodeSelected(self ? "" : nodeName)
            }
        }
    }
    Label {
        objectName: pane.namePrefix + "problem"
        visible: text.length > 0
        text: pane.problem
        color: Theme.warn
        wrapMode: Text.Wrap
        font.pixelSize: Theme.fontSmall
        Layout.fillWidth: true
    }
}

pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// The connections table: sortable header, one selected connection (by id, so the selection
// survives refreshes and re-sorts), columns hidden by giving them width 0.
Rectangle {
    id: root

    required property ConnectionsModel model
    // A real, not an int: connection ids of a cluster node start at a per-node base above 2^31.
    property real selectedId: 0
    // Widths per ConnectionsModel column (0 hides one). The flexible column (Rooms, else the
    // last visible one) takes what the others leave, down to its own width; past that the
    // table scrolls sideways.
    // The node column shows only for a remote node in a cluster (rows of several nodes).
    property list<int> columnWidths: [64, 110, 90, 140, 90, 100, 140, 76, 76, 76, 86, 96,
                                      ServerStatus.remote && ServerStatus.clustered ? 110 : 0]
    property int flexColumn: ConnectionsModel.RoomsColumn
    readonly property alias table: tableView
    readonly property int rows: tableView.rows

    signal activated(real connectionId)

    color: Theme.surface
    border.color: Theme.border
    radius: Theme.radius
    clip: true

    function widthOf(column: int): real {
        const w = columnWidths[column] ?? 80;
        if (w <= 0)
            return 0;
        let used = 0;
        let last = 0;
        for (let i = 0; i < columnWidths.length; ++i) {
            if (columnWidths[i] > 0) {
                used += columnWidths[i];
                last = i;
            }
        }
        const flex = (columnWidths[flexColumn] ?? 0) > 0 ? flexColumn : last;
        if (column === flex)
            return Math.max(w, tableView.width - (used - w));
        return w;
    }

    HorizontalHeaderView {
        id: header
        objectName: "connectionTableHeader"
        syncView: tableView
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: 1 }
        clip: true
        delegate: Rectangle {
            id: headerCell
            required property string display
            required property int column
            readonly property bool sorted: root.model.sortColumn === column
            implicitHeight: 32
            implicitWidth: root.widthOf(column)
            color: headerArea.containsMouse ? Theme.surfaceHover : Theme.surfaceAlt
            Rectangle { anchors { left: parent.left; right: parent.right; bottom: parent.bottom } height: 1; color: Theme.border }
            RowLayout {
                anchors { fill: parent; leftMargin: 10; rightMargin: 6 }
                spacing: 4
                Label {
                    text: headerCell.display
                    color: headerCell.sorted ? Theme.textStrong : Theme.textMuted
                    font.pixelSize: Theme.fontSmall
                    font.weight: Font.DemiBold
                    elide: Text.ElideRight
                    Layout.fillWidth: true
                }
                Label {
                    visible: headerCell.sorted
                    text: root.model.sortOrder === Qt.AscendingOrder ? "▲" : "▼"
                    color: Theme.accent
                    font.pixelSize: 8
                }
            }
            MouseArea {
                id: headerArea
                objectName: "sortHeader_" + headerCell.column
                anchors.fill: parent
                hoverEnabled: true
                onClicked: root.model.sortBy(headerCell.column)
            }
        }
    }

    TableView {
        id: tableView
        objectName: "connectionTableView"
        anchors { left: parent.left; right: parent.right; top: header.bottom; bottom: parent.bottom; margins: 1; topMargin: 0 }
        clip: true
        model: root.model
        boundsBehavior: Flickable.StopAtBounds
        columnWidthProvider: column => root.widthOf(column)
        onWidthChanged: forceLayout()
        // The model signals changes only around what is shown (10,000 rows, 4 refreshes a second).
        onTopRowChanged: root.model.setViewport(topRow, bottomRow)
        onBottomRowChanged: root.model.setViewport(topRow, bottomRow)
        // Shown whenever there is more to see: Fusion hides as-needed bars until scrolled.
        ScrollBar.vertical: ScrollBar {
            objectName: "tableVScroll"
            policy: tableView.contentHeight > tableView.height ? ScrollBar.AlwaysOn : ScrollBar.AlwaysOff
        }
        ScrollBar.horizontal: ScrollBar {
            objectName: "tableHScroll"
            policy: tableView.contentWidth > tableView.width + 1 ? ScrollBar.AlwaysOn : ScrollBar.AlwaysOff
        }

        delegate: Rectangle {
            id: cell
            required property string display
            required property int row
            required property int column
            required property real connectionId
            readonly property bool selected: connectionId === root.selectedId
            objectName: "cell_" + row + "_" + column
            implicitHeight: Theme.rowHeight
            color: selected ? Theme.selection : (row % 2 ? Theme.surfaceAlt : Theme.surface)
            Label {
                anchors { fill: parent; leftMargin: 10; rightMargin: 10 }
                verticalAlignment: Text.AlignVCenter
                horizontalAlignment: cell.column >= ConnectionsModel.MessagesInColumn
                                     && cell.column <= ConnectionsModel.PendingColumn ? Text.AlignRight : Text.AlignLeft
                text: cell.display
                elide: Text.ElideRight
                color: cell.column === ConnectionsModel.IdColumn ? Theme.textMuted : Theme.text
                font.pixelSize: Theme.fontNormal
                // Figures in mono; protocol and transport are words.
                font.family: cell.column === ConnectionsModel.IdColumn || cell.column === ConnectionsModel.AddressColumn
                             || (cell.column >= ConnectionsModel.MessagesInColumn && cell.column <= ConnectionsModel.PendingColumn)
                             ? Theme.monoFamily : font.family
            }
            TapHandler {
                onTapped: {
                    root.selectedId = cell.connectionId;
                    root.activated(cell.connectionId);
                }
            }
        }
    }
}

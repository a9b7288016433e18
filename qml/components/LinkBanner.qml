import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// Across the top of the window when the console shows a remote node: the profile's colour
// and "production" banner, and, whenever the link is not up, that the data shown is stale.
Rectangle {
    id: banner

    property string profileName
    property color profileColour: "transparent"
    property bool production: false

    visible: ServerStatus.remote
    implicitHeight: visible ? row.implicitHeight + 10 : 0
    color: ServerStatus.stale ? Theme.warnSoft
                              : (banner.production ? Theme.dangerSoft
                                                   : (banner.profileColour.a > 0 ? banner.profileColour : Theme.surfaceAlt))

    RowLayout {
        id: row
        anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 10 }
        spacing: 10
        Label {
            objectName: "productionBanner"
            visible: banner.production
            text: qsTr("PRODUCTION")
            color: Theme.danger
            font.weight: Font.Bold
        }
        Label {
            objectName: "remoteNodeLabel"
            text: banner.profileName.length > 0 ? qsTr("%1 — %2").arg(banner.profileName).arg(ServerStatus.displayName)
                                                : ServerStatus.displayName
            color: Theme.text
            font.family: Theme.monoFamily
            elide: Text.ElideRight
            Layout.fillWidth: true
        }
        Pill {
            objectName: "linkStatePill"
            text: ServerStatus.link === "connected" ? qsTr("connected as %1").arg(ServerStatus.role)
                : ServerStatus.link === "connecting" ? qsTr("connecting…")
                : ServerStatus.link === "reconnecting" ? qsTr("reconnecting…")
                : ServerStatus.link === "refused" ? qsTr("refused") : ServerStatus.link
            tint: ServerStatus.link === "connected" ? Theme.ok : (ServerStatus.link === "refused" ? Theme.danger : Theme.warn)
        }
        Pill {
            visible: ServerStatus.readOnly
            text: qsTr("read-only")
            tint: Theme.accent
        }
        Label {
            objectName: "staleLabel"
            visible: ServerStatus.stale
            text: ServerStatus.linkError.length > 0 ? qsTr("Stale data — %1").arg(ServerStatus.linkError)
                                                    : qsTr("Stale data — the node is not reachable")
            color: Theme.warn
            elide: Text.ElideRight
            Layout.maximumWidth: 460
        }
    }
}

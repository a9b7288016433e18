import QtQuick
import QtQuick.Controls
import Switchboard.Console

// Wraps one action button: says whether the console's role (from the node's welcome) allows
// the admin action, and explains in a tooltip why the button is disabled when it does not.
// A disabled button gets no hover events, so the gate listens for them. The node checks the
// role again whatever the console shows.
Item {
    id: gate

    property string action
    // Re-evaluated when the role, the read-only flag or the link changes (ServerStatus.permissions).
    readonly property bool allowed: ServerStatus.permissions >= 0 && ServerStatus.allows(gate.action)
    readonly property string reason: ServerStatus.permissions >= 0 ? ServerStatus.deniedReason(gate.action) : ""

    implicitWidth: children.length > 0 ? children[0].implicitWidth : 0
    implicitHeight: children.length > 0 ? children[0].implicitHeight : 0

    HoverHandler { id: hover }
    ToolTip.visible: !gate.allowed && hover.hovered
    ToolTip.text: gate.reason
    ToolTip.delay: 300
}

pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

// Server address and limits (as configured: flags > environment > file > defaults),
// secrets, appearance and language, and the dev token tool.
ScrollView {
    id: page

    property string mintedToken
    readonly property string mintedUrl: mintedToken.length > 0 ? ConsoleSettings.connectUrl(mintedToken) : ""

    contentWidth: availableWidth
    clip: true

    ColumnLayout {
        width: page.availableWidth
        spacing: Theme.spacing

        PageHeader {
            title: qsTr("Settings")
            subtitle: qsTr("Server values come from flags, SWITCHBOARD_* variables or the config file; they apply at start.")
            Layout.fillWidth: true
            Layout.margins: Theme.spacingLarge
            Layout.bottomMargin: 0
        }

        GridLayout {
            Layout.fillWidth: true
            Layout.leftMargin: Theme.spacingLarge
            Layout.rightMargin: Theme.spacingLarge
            Layout.bottomMargin: Theme.spacingLarge
            columns: width > 1000 ? 2 : 1
            columnSpacing: Theme.spacing
            rowSpacing: Theme.spacing

            Card {
                title: qsTr("Server")
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                ColumnLayout {
                    anchors { left: parent.left; right: parent.right }
                    spacing: 6
                    KeyValue { objectName: "settingsUrl"; label: qsTr("HTTP address"); value: ConsoleSettings.url; mono: true; Layout.fillWidth: true }
                    KeyValue { label: qsTr("WebSocket"); value: ConsoleSettings.wsUrl; mono: true; Layout.fillWidth: true }
                    KeyValue { label: qsTr("Data directory"); value: ConsoleSettings.dataDir; mono: true; Layout.fillWidth: true }
                    KeyValue { label: qsTr("I/O threads"); value: String(ConsoleSettings.threads); Layout.fillWidth: true }
                    KeyValue { label: qsTr("Cluster (Redis)"); value: ConsoleSettings.redisUrl.length > 0 ? ConsoleSettings.redisUrl : qsTr("standalone"); Layout.fillWidth: true }
                    KeyValue { label: qsTr("Version"); value: ConsoleSettings.version; Layout.fillWidth: true }
                }
            }

            Card {
                title: qsTr("Limits")
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                ColumnLayout {
                    anchors { left: parent.left; right: parent.right }
                    spacing: 6
                    KeyValue { objectName: "settingsMaxConnections"; label: qsTr("Max connections"); value: String(ConsoleSettings.maxConnections); labelWidth: 190; Layout.fillWidth: true }
                    KeyValue { label: qsTr("Heartbeat"); value: qsTr("ping every %1 s, timeout %2 s").arg(ConsoleSettings.heartbeatInterval / 1000).arg(ConsoleSettings.heartbeatTimeout / 1000); labelWidth: 190; Layout.fillWidth: true }
                    KeyValue { label: qsTr("Max message size"); value: ConsoleSettings.formatBytes(ConsoleSettings.maxMessageSize); labelWidth: 190; Layout.fillWidth: true }
                    KeyValue { label: qsTr("Rate limit"); value: qsTr("%1 messages/s per connection, burst %2").arg(ConsoleSettings.rateLimit).arg(ConsoleSettings.rateBurst); labelWidth: 190; Layout.fillWidth: true }
                    KeyValue { label: qsTr("Send buffer cap"); value: ConsoleSettings.formatBytes(ConsoleSettings.maxPendingBytes); labelWidth: 190; Layout.fillWidth: true }
                }
            }

            Card {
                title: qsTr("Secrets")
                subtitle: qsTr("Masked; reveal only on a trusted screen")
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                ColumnLayout {
                    anchors { left: parent.left; right: parent.right }
                    spacing: 4
                    SecretField { objectName: "secretJwt"; label: qsTr("JWT secret"); value: ConsoleSettings.jwtSecret; Layout.fillWidth: true; onCopyRequested: v => ConsoleSettings.copyToClipboard(v) }
                    SecretField { objectName: "secretInternalKey"; label: qsTr("Internal key"); value: ConsoleSettings.internalKey; Layout.fillWidth: true; onCopyRequested: v => ConsoleSettings.copyToClipboard(v) }
                    SecretField { objectName: "secretAdminToken"; label: qsTr("Admin token"); value: ConsoleSettings.adminToken; Layout.fillWidth: true; onCopyRequested: v => ConsoleSettings.copyToClipboard(v) }
                }
            }

            Card {
                title: qsTr("Appearance and language")
                Layout.fillWidth: true
                Layout.alignment: Qt.AlignTop
                GridLayout {
                    anchors { left: parent.left; right: parent.right }
                    columns: 2
                    columnSpacing: 10
                    rowSpacing: 8
                    Label { text: qsTr("Theme"); color: Theme.textMuted; Layout.preferredWidth: 140 }
                    SegmentedControl {
                        objectName: "themeSelector"
                        options: [qsTr("Dark"), qsTr("Light")]
                        currentIndex: ConsoleSettings.darkTheme ? 0 : 1
                        onActivated: index => ConsoleSettings.darkTheme = index === 0
                    }
                    Label { text: qsTr("Language"); color: Theme.textMuted }
                    ComboBox {
                        id: languageCombo
                        objectName: "languageCombo"
                        model: ConsoleSettings.languageNames
                        currentIndex: ConsoleSettings.languages.indexOf(ConsoleSettings.language)
                        implicitWidth: 200
                        onActivated: index => ConsoleSettings.language = ConsoleSettings.languages[index]
                    }
                }
            }

            Card {
                title: qsTr("Token tool")
                subtitle: qsTr("Mint a development JWT signed with this server's secret, and a ready-to-use WebSocket URL")
                Layout.fillWidth: true
                Layout.columnSpan: parent.columns
                ColumnLayout {
                    anchors { left: parent.left; right: parent.right }
                    spacing: 8
                    RowLayout {
                        spacing: 8
                        Layout.fillWidth: true
                        TextField { id: tokenUser; objectName: "tokenUser"; placeholderText: qsTr("user id (required)"); text: "42"; Layout.preferredWidth: 160 }
                        TextField { id: tokenRole; objectName: "tokenRole"; placeholderText: qsTr("role, e.g. admin"); Layout.preferredWidth: 140 }
                        TextField { id: tokenRooms; objectName: "tokenRooms"; placeholderText: qsTr("rooms, comma separated"); Layout.fillWidth: true }
                        Label { text: qsTr("valid for"); color: Theme.textMuted }
                        ComboBox {
                            id: tokenTtl
                            objectName: "tokenTtl"
                            textRole: "label"
                            valueRole: "seconds"
                            model: [
                                { seconds: 3600, label: qsTr("1 hour") },
                                { seconds: 86400, label: qsTr("1 day") },
                                { seconds: 604800, label: qsTr("7 days") }
                            ]
                            implicitWidth: 110
                        }
                        Button {
                            objectName: "mintButton"
                            text: qsTr("Mint token")
                            highlighted: true
                            enabled: tokenUser.text.trim().length > 0
                            onClicked: page.mintedToken = ConsoleSettings.mintToken(tokenUser.text, tokenRole.text, tokenRooms.text, tokenTtl.currentValue)
                        }
                    }
                    RowLayout {
                        visible: page.mintedToken.length > 0
                        spacing: 8
                        Layout.fillWidth: true
                        Label { text: qsTr("Token"); color: Theme.textMuted; Layout.preferredWidth: 60 }
                        TextField {
                            objectName: "mintedToken"
                            text: page.mintedToken
                            readOnly: true
                            font.family: Theme.monoFamily
                            font.pixelSize: Theme.fontSmall
                            selectByMouse: true
                            Layout.fillWidth: true
                        }
                        Button { objectName: "copyToken"; text: qsTr("Copy token"); onClicked: { ConsoleSettings.copyToClipboard(page.mintedToken); copied.show(qsTr("Token copied")); } }
                    }
                    RowLayout {
                        visible: page.mintedToken.length > 0
                        spacing: 8
                        Layout.fillWidth: true
                        Label { text: qsTr("URL"); color: Theme.textMuted; Layout.preferredWidth: 60 }
                        TextField {
                            objectName: "mintedUrl"
                            text: page.mintedUrl
                            readOnly: true
                            font.family: Theme.monoFamily
                            font.pixelSize: Theme.fontSmall
                            selectByMouse: true
                            Layout.fillWidth: true
                        }
                        Button { objectName: "copyUrl"; text: qsTr("Copy URL"); highlighted: true; onClicked: { ConsoleSettings.copyToClipboard(page.mintedUrl); copied.show(qsTr("URL copied")); } }
                    }
                    Label {
                        id: copied
                        objectName: "copiedLabel"
                        visible: text.length > 0
                        function show(message: string) { text = message; hideTimer.restart(); }
                        color: Theme.ok
                        font.pixelSize: Theme.fontSmall
                        Timer { id: hideTimer; interval: 2500; onTriggered: copied.text = "" }
                    }
                    Label {
                        visible: page.mintedToken.length > 0
                        text: qsTr("Try it: npx wscat -c \"%1\"").arg(page.mintedUrl)
                        color: Theme.textMuted
                        font.family: Theme.monoFamily
                        font.pixelSize: Theme.fontSmall
                        elide: Text.ElideRight
                        Layout.fillWidth: true
                    }
                }
            }
        }
    }
}

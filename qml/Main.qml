pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Switchboard.Console

ApplicationWindow {
    id: window
    objectName: "mainWindow"
    width: 1440
    height: 900
    minimumWidth: 1100
    minimumHeight: 700
    visible: true
    title: ServerStatus.remote ? qsTr("Switchboard — %1 (remote)").arg(ServerStatus.displayName)
                               : qsTr("Switchboard — %1").arg(ServerStatus.url)
    color: Theme.background

    // Page names, in rail order; showPage() takes one of them (tests and the screenshot hook
    // use it too).
    readonly property list<string> pageNames: ["overview", "connections", "rooms", "queues", "events", "emit", "settings"]
    property int currentPage: 0
    readonly property string currentPageName: pageNames[currentPage]

    function showPage(name: string): bool {
        const i = pageNames.indexOf(name);
        if (i < 0)
            return false;
        currentPage = i;
        return true;
    }

    // The screenshot hook (SWITCHBOARD_SCREENSHOT_DEMO=1) calls this after showing a page,
    // so the docs show pages in use rather than empty forms.
    function prepareScreenshot(page: string) {
        if (page === "overview")
            overviewPage.demo();
        else if (page === "emit")
            emitPage.demo();
        else if (page === "connections")
            connectionsPage.demo();
        else if (page === "rooms")
            roomsPage.demo();
        else if (page === "queues")
            queuesPage.demo();
    }

    // Jump to the Emit page with a target filled in (from Connections and Rooms).
    function emitTo(kind: int, target: string) {
        emitPage.prepare(kind, target);
        showPage("emit");
    }

    Binding {
        target: Theme
        property: "dark"
        value: ConsoleSettings.darkTheme
    }

    // Fusion draws every standard control from this palette, so they follow the theme too.
    palette {
        window: Theme.background
        windowText: Theme.text
        base: Theme.input
        alternateBase: Theme.surfaceAlt
        text: Theme.text
        button: Theme.surfaceAlt
        buttonText: Theme.text
        highlight: Theme.accent
        highlightedText: "#ffffff"
        placeholderText: Theme.textFaint
        light: Theme.surfaceHover
        midlight: Theme.surfaceAlt
        mid: Theme.border
        dark: Theme.borderStrong
        shadow: Theme.dark ? "#000000" : "#8a8f98"
        toolTipBase: Theme.surfaceAlt
        toolTipText: Theme.text
        link: Theme.accent
    }
    font.pixelSize: Theme.fontNormal

    Shortcut { sequence: "Ctrl+1"; onActivated: window.currentPage = 0 }
    Shortcut { sequence: "Ctrl+2"; onActivated: window.currentPage = 1 }
    Shortcut { sequence: "Ctrl+3"; onActivated: window.currentPage = 2 }
    Shortcut { sequence: "Ctrl+4"; onActivated: window.currentPage = 3 }
    Shortcut { sequence: "Ctrl+5"; onActivated: window.currentPage = 4 }
    Shortcut { sequence: "Ctrl+6"; onActivated: window.currentPage = 5 }
    Shortcut { sequence: "Ctrl+7"; onActivated: window.currentPage = 6 }

    ConnectDialog {
        id: connectDialog
        anchors.centerIn: parent
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

    // Remote node: profile colour, production banner, link state and stale data.
    LinkBanner {
        objectName: "linkBanner"
        profileName: ServerStatus.profileName
        profileColour: ServerStatus.profileColour
        production: ServerStatus.production
        Layout.fillWidth: true
    }

    RowLayout {
        Layout.fillWidth: true
        Layout.fillHeight: true
        spacing: 0

        NavRail {
            id: rail
            objectName: "navRail"
            currentIndex: window.currentPage
            Layout.fillHeight: true
            onPageRequested: index => window.currentPage = index
            onConnectRequested: connectDialog.open()
        }

        StackLayout {
            id: pages
            objectName: "pages"
            currentIndex: window.currentPage
            Layout.fillWidth: true
            Layout.fillHeight: true

            OverviewPage { id: overviewPage; objectName: "overviewPage" }
            ConnectionsPage {
                id: connectionsPage
                objectName: "connectionsPage"
                onEmitRequested: (kind, target) => window.emitTo(kind, target)
            }
            RoomsPage {
                id: roomsPage
                objectName: "roomsPage"
                onEmitRequested: (kind, target) => window.emitTo(kind, target)
            }
            QueuesPage { id: queuesPage; objectName: "queuesPage" }
            EventsPage { objectName: "eventsPage" }
            EmitPage { id: emitPage; objectName: "emitPage" }
            SettingsPage { objectName: "settingsPage" }
        }
    }
    }
}

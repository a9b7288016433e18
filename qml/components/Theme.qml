pragma Singleton
import QtQuick

// Colours, sizes and fonts of the console. Dark is the default (operators keep the console
// open all day); Main.qml binds `dark` to the persisted setting.
QtObject {
    property bool dark: true

    // Surfaces, back to front.
    readonly property color background: dark ? "#111217" : "#f4f5f7"
    readonly property color rail: dark ? "#0b0c10" : "#ffffff"
    readonly property color surface: dark ? "#181b1f" : "#ffffff"
    readonly property color surfaceAlt: dark ? "#1f2329" : "#f7f8fa"
    readonly property color surfaceHover: dark ? "#262b33" : "#eef1f5"
    readonly property color input: dark ? "#0f1115" : "#ffffff"
    readonly property color border: dark ? "#2a2f38" : "#dcdfe5"
    readonly property color borderStrong: dark ? "#3a404b" : "#c4c8d0"

    // Text.
    readonly property color text: dark ? "#d8d9da" : "#1f2328"
    readonly property color textStrong: dark ? "#f2f3f5" : "#0b0d10"
    readonly property color textMuted: dark ? "#8e95a2" : "#5f6673"
    readonly property color textFaint: dark ? "#5d6471" : "#9aa0ab"

    // Accents and states.
    readonly property color accent: dark ? "#5794f2" : "#1f60c4"
    readonly property color accentSoft: dark ? "#1d2b44" : "#e3edfb"
    readonly property color ok: dark ? "#73bf69" : "#2b8a3e"
    readonly property color okSoft: dark ? "#1c2e1f" : "#e3f4e6"
    readonly property color warn: dark ? "#f2cc0c" : "#b7791f"
    readonly property color warnSoft: dark ? "#332c0a" : "#fdf3d8"
    readonly property color danger: dark ? "#f2495c" : "#c92a3c"
    readonly property color dangerSoft: dark ? "#3a1820" : "#fbe5e8"
    readonly property color selection: dark ? "#22324d" : "#d6e4f8"

    // Chart series, in a fixed order.
    readonly property color series1: dark ? "#73bf69" : "#37872d"
    readonly property color series2: dark ? "#5794f2" : "#1f60c4"
    readonly property color series3: dark ? "#ff9830" : "#e0752d"
    readonly property color series4: dark ? "#b877d9" : "#8f3bb8"
    readonly property color series5: dark ? "#f2495c" : "#c4162a"

    // Direction colours of the event log.
    readonly property color inbound: series2
    readonly property color outbound: series1
    readonly property color system: series4

    // Sizes.
    readonly property int spacing: 12
    readonly property int spacingSmall: 6
    readonly property int spacingLarge: 20
    readonly property int radius: 4
    readonly property int railWidth: 208
    readonly property int rowHeight: 30
    readonly property int controlHeight: 30

    readonly property int fontSmall: 11
    readonly property int fontNormal: 13
    readonly property int fontMedium: 15
    readonly property int fontLarge: 20
    readonly property int fontHuge: 28
    readonly property string monoFamily: "DejaVu Sans Mono"
}

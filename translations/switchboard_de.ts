<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>ConnectDialog</name>
    <message>
        <source>Connect to server</source>
        <translation>Mit Server verbinden</translation>
    </message>
    <message>
        <source>Saved profiles</source>
        <translation>Gespeicherte Profile</translation>
    </message>
    <message>
        <source>production</source>
        <translation>Produktion</translation>
    </message>
    <message>
        <source>read-only</source>
        <translation>nur lesen</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Entfernen</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Admin token</source>
        <translation>Admin-Token</translation>
    </message>
    <message>
        <source>from switchboard admin-token</source>
        <translation>von switchboard admin-token</translation>
    </message>
    <message>
        <source>Profile name</source>
        <translation>Profilname</translation>
    </message>
    <message>
        <source>optional, to save it</source>
        <translation>optional, zum Speichern</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Farbe</translation>
    </message>
    <message>
        <source>Production (a red banner)</source>
        <translation>Produktion (rotes Banner)</translation>
    </message>
    <message>
        <source>Read-only (no actions from this console)</source>
        <translation>Nur lesen (keine Aktionen aus dieser Konsole)</translation>
    </message>
    <message>
        <source>No keychain: store the token in plain text in the settings file</source>
        <translation>Kein Schlüsselbund: Token im Klartext in der Einstellungsdatei speichern</translation>
    </message>
    <message>
        <source>This system has no keychain (Secret Service or KWallet). Unless you tick the box, the token is not saved and you enter it each time.</source>
        <translation>Dieses System hat keinen Schlüsselbund (Secret Service oder KWallet). Ohne das Häkchen wird das Token nicht gespeichert und Sie geben es jedes Mal ein.</translation>
    </message>
    <message>
        <source>Save profile</source>
        <translation>Profil speichern</translation>
    </message>
</context>
<context>
    <name>ConnectionsPage</name>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>Every open connection, native or Socket.IO. Click a row for details and actions; click a column header to sort.</source>
        <translation>Alle offenen Verbindungen, nativ oder Socket.IO. Klicken Sie auf eine Zeile für Details und Aktionen, auf einen Spaltenkopf zum Sortieren.</translation>
    </message>
    <message>
        <source>Filter by id, user, role, address, room, protocol or transport</source>
        <translation>Filtern: ID, Benutzer, Rolle, Adresse, Raum, Protokoll, Transport</translation>
    </message>
    <message>
        <source>%1 of %2 connections</source>
        <translation>%1 von %2 Verbindungen</translation>
    </message>
    <message numerus="yes">
        <source>%n connection(s)</source>
        <translation>
            <numerusform>%n Verbindung</numerusform>
            <numerusform>%n Verbindungen</numerusform>
        </translation>
    </message>
    <message>
        <source>No connection matches the filter</source>
        <translation>Keine Verbindung passt zum Filter</translation>
    </message>
    <message>
        <source>No clients connected</source>
        <translation>Keine Clients verbunden</translation>
    </message>
    <message>
        <source>Clients connect to %1?token=… — mint a dev token on the Settings page.</source>
        <translation>Clients verbinden sich mit %1?token=… – ein Entwickler-Token erstellen Sie auf der Seite Einstellungen.</translation>
    </message>
    <message>
        <source>Connection #%1</source>
        <translation>Verbindung #%1</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>verbunden</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>getrennt</translation>
    </message>
    <message>
        <source>Close details</source>
        <translation>Details schließen</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>Connected at</source>
        <translation>Verbunden seit</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation>Letzte Aktivität</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>%1 in · %2 out</source>
        <translation>%1 ein · %2 aus</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>Bytes</translation>
    </message>
    <message>
        <source>Pending send</source>
        <translation>Sendepuffer</translation>
    </message>
    <message>
        <source>I/O thread</source>
        <translation>I/O-Thread</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Räume</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>Verlassen</translation>
    </message>
    <message>
        <source>room name, e.g. order:42</source>
        <translation>Raumname, z.&#xa0;B. order:42</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>Beitreten</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Send event to this connection…</source>
        <translation>Ereignis an diese Verbindung senden…</translation>
    </message>
    <message>
        <source>…to the user</source>
        <translation>…an den Benutzer</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Trennen</translation>
    </message>
    <message>
        <source>1000 · normal closure</source>
        <translation>1000 · normales Schließen</translation>
    </message>
    <message>
        <source>1001 · going away</source>
        <translation>1001 · Gegenstelle geht</translation>
    </message>
    <message>
        <source>1008 · policy violation</source>
        <translation>1008 · Richtlinienverstoß</translation>
    </message>
    <message>
        <source>1011 · server error</source>
        <translation>1011 · Serverfehler</translation>
    </message>
    <message>
        <source>4000 · internal error</source>
        <translation>4000 · interner Fehler</translation>
    </message>
    <message>
        <source>Use 1000, 1001, 1008, 1011 or an application code 3000–4999.</source>
        <translation>Verwenden Sie 1000, 1001, 1008, 1011 oder einen Anwendungscode 3000–4999.</translation>
    </message>
    <message>
        <source>reason (sent to the client)</source>
        <translation>Grund (wird an den Client gesendet)</translation>
    </message>
    <message>
        <source>disconnected by operator</source>
        <translation>vom Operator getrennt</translation>
    </message>
    <message>
        <source>‹ Previous</source>
        <translation>‹ Zurück</translation>
    </message>
    <message>
        <source>Next ›</source>
        <translation>Weiter ›</translation>
    </message>
</context>
<context>
    <name>EmitPage</name>
    <message>
        <source>The server is stopped.</source>
        <translation>Der Server ist gestoppt.</translation>
    </message>
    <message>
        <source>Enter an event name.</source>
        <translation>Geben Sie einen Ereignisnamen ein.</translation>
    </message>
    <message>
        <source>Choose a target.</source>
        <translation>Wählen Sie ein Ziel.</translation>
    </message>
    <message>
        <source>Fix the payload: %1</source>
        <translation>Nutzdaten korrigieren: %1</translation>
    </message>
    <message>
        <source>Notification</source>
        <translation>Benachrichtigung</translation>
    </message>
    <message>
        <source>Order update</source>
        <translation>Bestellstatus</translation>
    </message>
    <message>
        <source>Chat message</source>
        <translation>Chatnachricht</translation>
    </message>
    <message>
        <source>Force reload</source>
        <translation>Neu laden erzwingen</translation>
    </message>
    <message>
        <source>Empty object</source>
        <translation>Leeres Objekt</translation>
    </message>
    <message>
        <source>Emit</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Send an event to clients, as a back-end service would through the HTTP API</source>
        <translation>Ein Ereignis an Clients senden, wie es ein Backend-Dienst über die HTTP-API tut</translation>
    </message>
    <message>
        <source>New event</source>
        <translation>Neues Ereignis</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Ziel</translation>
    </message>
    <message>
        <source>Broadcast</source>
        <translation>An alle</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Raum</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Verbindung</translation>
    </message>
    <message>
        <source>User id</source>
        <translation>Benutzer-ID</translation>
    </message>
    <message>
        <source>Connection id</source>
        <translation>Verbindungs-ID</translation>
    </message>
    <message>
        <source>e.g. order:42</source>
        <translation>z.&#xa0;B. order:42</translation>
    </message>
    <message>
        <source>e.g. 42</source>
        <translation>z.&#xa0;B. 42</translation>
    </message>
    <message>
        <source>e.g. 17</source>
        <translation>z.&#xa0;B. 17</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Ereignis</translation>
    </message>
    <message>
        <source>event name, e.g. notification</source>
        <translation>Ereignisname, z.&#xa0;B. notification</translation>
    </message>
    <message>
        <source>Recent:</source>
        <translation>Zuletzt:</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Nutzdaten</translation>
    </message>
    <message>
        <source>Templates…</source>
        <translation>Vorlagen…</translation>
    </message>
    <message>
        <source>Pretty-print</source>
        <translation>Formatieren</translation>
    </message>
    <message>
        <source>Require ack, timeout</source>
        <translation>Bestätigung anfordern, Timeout</translation>
    </message>
    <message>
        <source>s</source>
        <translation>s</translation>
    </message>
    <message>
        <source>Persist for offline users</source>
        <translation>Für Offline-Benutzer speichern</translation>
    </message>
    <message>
        <source>Stored and delivered when the user next connects (needs the durable store)</source>
        <translation>Wird gespeichert und zugestellt, sobald sich der Benutzer wieder verbindet (erfordert den dauerhaften Speicher)</translation>
    </message>
    <message>
        <source>Exclude user</source>
        <translation>Benutzer ausschließen</translation>
    </message>
    <message>
        <source>user id</source>
        <translation>Benutzer-ID</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Ergebnis</translation>
    </message>
    <message>
        <source>%1 · id %2</source>
        <translation>%1 · ID %2</translation>
    </message>
    <message>
        <source>Nothing sent yet</source>
        <translation>Noch nichts gesendet</translation>
    </message>
    <message>
        <source>Delivered to</source>
        <translation>Zugestellt an</translation>
    </message>
    <message>
        <source>sockets</source>
        <translation>Sockets</translation>
    </message>
    <message>
        <source>Acks</source>
        <translation>Bestätigungen</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>waiting…</source>
        <translation>warte…</translation>
    </message>
    <message>
        <source>timed out, %1 missing</source>
        <translation>Zeit abgelaufen, %1 fehlen</translation>
    </message>
    <message numerus="yes">
        <source>%n nack(s)</source>
        <translation>
            <numerusform>%n Ablehnung</numerusform>
            <numerusform>%n Ablehnungen</numerusform>
        </translation>
    </message>
    <message>
        <source>all acknowledged</source>
        <translation>alle bestätigt</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message numerus="yes">
        <source>%n emit(s) from this console</source>
        <translation>
            <numerusform>%n Sendung von dieser Konsole</numerusform>
            <numerusform>%n Sendungen von dieser Konsole</numerusform>
        </translation>
    </message>
    <message>
        <source>broadcast</source>
        <translation>an alle</translation>
    </message>
    <message>
        <source>room %1</source>
        <translation>Raum %1</translation>
    </message>
    <message>
        <source>user %1</source>
        <translation>Benutzer %1</translation>
    </message>
    <message>
        <source>connection #%1</source>
        <translation>Verbindung #%1</translation>
    </message>
    <message>
        <source>%1 sent · %2 acks</source>
        <translation>%1 gesendet · %2 Bestätigungen</translation>
    </message>
    <message>
        <source>%1 sent</source>
        <translation>%1 gesendet</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <source>Re-send</source>
        <translation>Erneut senden</translation>
    </message>
    <message>
        <source>Sent events appear here, ready to re-send.</source>
        <translation>Gesendete Ereignisse erscheinen hier und lassen sich erneut senden.</translation>
    </message>
</context>
<context>
    <name>EventsPage</name>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>Live log of events in, out and system events, newest first</source>
        <translation>Live-Protokoll eingehender, ausgehender und Systemereignisse, neueste zuerst</translation>
    </message>
    <message>
        <source>▶ Resume</source>
        <translation>▶ Fortsetzen</translation>
    </message>
    <message>
        <source>❚❚ Pause</source>
        <translation>❚❚ Anhalten</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alle</translation>
    </message>
    <message>
        <source>In</source>
        <translation>Ein</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Aus</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Event name</source>
        <translation>Ereignisname</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Raum</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Showing %1 of %2 buffered rows (max %3)</source>
        <translation>%1 von %2 gepufferten Zeilen (max. %3)</translation>
    </message>
    <message>
        <source>%1 sampled out</source>
        <translation>%1 ausgelassen</translation>
    </message>
    <message>
        <source>Under heavy load the server keeps at most 2,000 log rows a second and only counts the rest</source>
        <translation>Unter hoher Last behält der Server höchstens 2.000 Protokollzeilen pro Sekunde und zählt den Rest nur</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>angehalten</translation>
    </message>
    <message>
        <source>Export JSON lines</source>
        <translation>Als JSON Lines exportieren</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) written</source>
        <translation>
            <numerusform>%n Zeile geschrieben</numerusform>
            <numerusform>%n Zeilen geschrieben</numerusform>
        </translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Zeit</translation>
    </message>
    <message>
        <source>Dir</source>
        <translation>Richtung</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Room / target</source>
        <translation>Raum / Ziel</translation>
    </message>
    <message>
        <source>Conn</source>
        <translation>Verb.</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>in</source>
        <translation>ein</translation>
    </message>
    <message>
        <source>out</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>system</source>
        <translation>System</translation>
    </message>
    <message>
        <source>No event matches the filters</source>
        <translation>Kein Ereignis passt zu den Filtern</translation>
    </message>
    <message>
        <source>No events yet</source>
        <translation>Noch keine Ereignisse</translation>
    </message>
    <message>
        <source>Connects, disconnects and every emitted event show up here as they happen.</source>
        <translation>Verbindungen, Trennungen und jedes gesendete Ereignis erscheinen hier, sobald sie geschehen.</translation>
    </message>
</context>
<context>
    <name>FilterField</name>
    <message>
        <source>Filter</source>
        <translation>Filtern</translation>
    </message>
    <message>
        <source>Clear filter</source>
        <translation>Filter leeren</translation>
    </message>
</context>
<context>
    <name>JsonEditor</name>
    <message>
        <source>Line %1, column %2: %3</source>
        <translation>Zeile %1, Spalte %2: %3</translation>
    </message>
    <message>
        <source>{ &quot;key&quot;: &quot;value&quot; }</source>
        <translation>{ &quot;key&quot;: &quot;value&quot; }</translation>
    </message>
    <message>
        <source>Empty payload: sends null</source>
        <translation>Leere Nutzdaten: sendet null</translation>
    </message>
    <message>
        <source>Valid JSON (%1)</source>
        <translation>Gültiges JSON (%1)</translation>
    </message>
</context>
<context>
    <name>LinkBanner</name>
    <message>
        <source>PRODUCTION</source>
        <translation>PRODUKTION</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>connected as %1</source>
        <translation>verbunden als %1</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>verbinde…</translation>
    </message>
    <message>
        <source>reconnecting…</source>
        <translation>verbinde erneut…</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>read-only</source>
        <translation>nur lesen</translation>
    </message>
    <message>
        <source>Stale data — %1</source>
        <translation>Veraltete Daten — %1</translation>
    </message>
    <message>
        <source>Stale data — the node is not reachable</source>
        <translation>Veraltete Daten — der Knoten ist nicht erreichbar</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Switchboard — %1</source>
        <translation>Switchboard — %1</translation>
    </message>
    <message>
        <source>Switchboard — %1 (remote)</source>
        <translation>Switchboard — %1 (entfernt)</translation>
    </message>
</context>
<context>
    <name>NavRail</name>
    <message>
        <source>Switchboard</source>
        <translation>Switchboard</translation>
    </message>
    <message>
        <source>Operator console</source>
        <translation>Operator-Konsole</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Räume</translation>
    </message>
    <message>
        <source>Queues</source>
        <translation>Warteschlangen</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Ereignisse</translation>
    </message>
    <message>
        <source>Emit</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Server running</source>
        <translation>Server läuft</translation>
    </message>
    <message>
        <source>Server stopped</source>
        <translation>Server gestoppt</translation>
    </message>
    <message>
        <source>v%1</source>
        <translation>v%1</translation>
    </message>
    <message>
        <source>Remote: connected</source>
        <translation>Entfernt: verbunden</translation>
    </message>
    <message>
        <source>Remote: refused</source>
        <translation>Entfernt: abgelehnt</translation>
    </message>
    <message>
        <source>Remote: connecting…</source>
        <translation>Entfernt: verbinde…</translation>
    </message>
    <message>
        <source>Remote: reconnecting…</source>
        <translation>Entfernt: verbinde erneut…</translation>
    </message>
    <message>
        <source>Connect to server…</source>
        <translation>Mit Server verbinden…</translation>
    </message>
</context>
<context>
    <name>NodesPane</name>
    <message>
        <source>Nodes</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>All nodes</source>
        <translation>Alle Knoten</translation>
    </message>
    <message>
        <source>%1 · %2 conn. · %3</source>
        <translation>%1 · %2 Verb. · %3</translation>
    </message>
    <message>
        <source>up</source>
        <translation>aktiv</translation>
    </message>
    <message>
        <source>gone</source>
        <translation>weg</translation>
    </message>
</context>
<context>
    <name>OverviewPage</name>
    <message>
        <source>%1 d %2 h %3 min</source>
        <translation>%1 T %2 h %3 min</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Live state of the embedded server</source>
        <translation>Aktueller Zustand des eingebetteten Servers</translation>
    </message>
    <message>
        <source>Live state of the remote node</source>
        <translation>Aktueller Zustand des entfernten Knotens</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>1 min</source>
        <translation>1 min</translation>
    </message>
    <message>
        <source>5 min</source>
        <translation>5 min</translation>
    </message>
    <message>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Gestoppt</translation>
    </message>
    <message>
        <source>Listening on</source>
        <translation>Lauscht auf</translation>
    </message>
    <message>
        <source>WebSocket endpoint</source>
        <translation>WebSocket-Endpunkt</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>Laufzeit</translation>
    </message>
    <message>
        <source>I/O threads</source>
        <translation>I/O-Threads</translation>
    </message>
    <message>
        <source>Stop server</source>
        <translation>Server stoppen</translation>
    </message>
    <message>
        <source>Start server</source>
        <translation>Server starten</translation>
    </message>
    <message>
        <source>Closes every client with 1001 (going away) and stops listening</source>
        <translation>Schließt jeden Client mit 1001 (going away) und nimmt keine Verbindungen mehr an</translation>
    </message>
    <message>
        <source>Listens again on the configured address</source>
        <translation>Lauscht wieder auf der konfigurierten Adresse</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>%1 total since start · limit %2</source>
        <translation>%1 insgesamt seit dem Start · Limit %2</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>distinct user ids online</source>
        <translation>verschiedene Benutzer-IDs online</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Räume</translation>
    </message>
    <message>
        <source>with at least one member</source>
        <translation>mit mindestens einem Mitglied</translation>
    </message>
    <message>
        <source>Queue depth</source>
        <translation>Warteschlangentiefe</translation>
    </message>
    <message>
        <source>Events in</source>
        <translation>Ereignisse ein</translation>
    </message>
    <message>
        <source>/s</source>
        <translation>/s</translation>
    </message>
    <message>
        <source>messages from clients</source>
        <translation>Nachrichten von Clients</translation>
    </message>
    <message>
        <source>Events out</source>
        <translation>Ereignisse aus</translation>
    </message>
    <message>
        <source>messages written to sockets</source>
        <translation>an Sockets geschriebene Nachrichten</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation>Fehlerrate</translation>
    </message>
    <message>
        <source>%1 auth failures · %2 rate limited</source>
        <translation>%1 Auth-Fehler · %2 gedrosselt</translation>
    </message>
    <message>
        <source>p99 latency</source>
        <translation>p99-Latenz</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>emit → socket write · p50 %1 ms</source>
        <translation>Senden → Socket-Schreiben · p50 %1 ms</translation>
    </message>
    <message>
        <source>connections</source>
        <translation>Verbindungen</translation>
    </message>
    <message>
        <source>users</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>Durchsatz</translation>
    </message>
    <message>
        <source>out</source>
        <translation>aus</translation>
    </message>
    <message>
        <source>in</source>
        <translation>ein</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>Nachrichten</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latenz</translation>
    </message>
    <message>
        <source>p50</source>
        <translation>p50</translation>
    </message>
    <message>
        <source>p95</source>
        <translation>p95</translation>
    </message>
    <message>
        <source>p99</source>
        <translation>p99</translation>
    </message>
    <message>
        <source>ready + in flight + delayed</source>
        <translation>bereit + in Bearbeitung + verzögert</translation>
    </message>
    <message>
        <source>Degraded: %1. Clients of this node are served; emits do not reach the other nodes until it is back.</source>
        <translation>Beeinträchtigt: %1. Clients dieses Knotens werden bedient; Emits erreichen die anderen Knoten erst wieder, wenn er zurück ist.</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>Cluster</translation>
    </message>
    <message>
        <source>This node: %1 · Redis %2</source>
        <translation>Dieser Knoten: %1 · Redis %2</translation>
    </message>
    <message>
        <source>Single node (start with --redis to join a cluster)</source>
        <translation>Einzelner Knoten (mit --redis starten, um einem Cluster beizutreten)</translation>
    </message>
    <message>
        <source>%1 of %2 nodes up</source>
        <translation>%1 von %2 Knoten aktiv</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Knoten</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Zustand</translation>
    </message>
    <message>
        <source>In /s</source>
        <translation>Ein /s</translation>
    </message>
    <message>
        <source>Out /s</source>
        <translation>Aus /s</translation>
    </message>
    <message>
        <source> (this node)</source>
        <translation> (dieser Knoten)</translation>
    </message>
</context>
<context>
    <name>ProfileStore</name>
    <message>
        <source>Give the profile a name.</source>
        <translation>Geben Sie dem Profil einen Namen.</translation>
    </message>
    <message>
        <source>Profile names are at most %1 characters.</source>
        <translation>Profilnamen haben höchstens %1 Zeichen.</translation>
    </message>
    <message>
        <source>The address must be http://host:port or https://host:port.</source>
        <translation>Die Adresse muss http://host:port oder https://host:port sein.</translation>
    </message>
    <message>
        <source>At most %1 profiles; remove one first.</source>
        <translation>Höchstens %1 Profile; entfernen Sie zuerst eines.</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Built without QtKeychain.</source>
        <translation>Ohne QtKeychain gebaut.</translation>
    </message>
</context>
<context>
    <name>QueuesPage</name>
    <message>
        <source>Queues</source>
        <translation>Warteschlangen</translation>
    </message>
    <message>
        <source>Durable job queues: depth by state, rates, dead letters</source>
        <translation>Dauerhafte Job-Warteschlangen: Tiefe nach Zustand, Raten, Dead Letters</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Bereit</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>In Bearbeitung</translation>
    </message>
    <message>
        <source>Delayed</source>
        <translation>Verzögert</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>Dead Letters</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Warteschlange</translation>
    </message>
    <message>
        <source>Dead</source>
        <translation>Tot</translation>
    </message>
    <message>
        <source>Enqueued/s</source>
        <translation>Eingereiht/s</translation>
    </message>
    <message>
        <source>Acked/s</source>
        <translation>Bestätigt/s</translation>
    </message>
    <message>
        <source>Consumers</source>
        <translation>Konsumenten</translation>
    </message>
    <message>
        <source>Messages that used up their attempts: payload, attempts, last error</source>
        <translation>Nachrichten, die ihre Versuche aufgebraucht haben: Nutzdaten, Versuche, letzter Fehler</translation>
    </message>
    <message>
        <source>Retry all</source>
        <translation>Alle wiederholen</translation>
    </message>
    <message>
        <source>Purge</source>
        <translation>Leeren</translation>
    </message>
    <message>
        <source>unavailable</source>
        <translation>nicht verfügbar</translation>
    </message>
    <message>
        <source>durable</source>
        <translation>dauerhaft</translation>
    </message>
    <message>
        <source>in memory</source>
        <translation>im Speicher</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>1 min</source>
        <translation>1 min</translation>
    </message>
    <message>
        <source>5 min</source>
        <translation>5 min</translation>
    </message>
    <message>
        <source>15 min</source>
        <translation>15 min</translation>
    </message>
    <message>
        <source>waiting for a consumer</source>
        <translation>wartet auf Abholung</translation>
    </message>
    <message>
        <source>delivered, not yet acked</source>
        <translation>zugestellt, unbestätigt</translation>
    </message>
    <message>
        <source>backoff or delay pending</source>
        <translation>Wartezeit läuft</translation>
    </message>
    <message>
        <source>used up their attempts</source>
        <translation>Versuche aufgebraucht</translation>
    </message>
    <message numerus="yes">
        <source>%n queue(s)</source>
        <translation>
            <numerusform>%n Warteschlange</numerusform>
            <numerusform>%n Warteschlangen</numerusform>
        </translation>
    </message>
    <message>
        <source>Enqueued</source>
        <translation>Eingereiht</translation>
    </message>
    <message>
        <source>/s</source>
        <translation>/s</translation>
    </message>
    <message>
        <source>acked %1/s · nacked %2/s</source>
        <translation>bestätigt %1/s · abgelehnt %2/s</translation>
    </message>
    <message>
        <source>Store: %1 · click a queue for its chart and dead letters</source>
        <translation>Speicher: %1 · Warteschlange anklicken für Diagramm und Dead Letters</translation>
    </message>
    <message>
        <source>The durable queue store is not available</source>
        <translation>Der dauerhafte Warteschlangenspeicher ist nicht verfügbar</translation>
    </message>
    <message>
        <source>Enqueue test message…</source>
        <translation>Testnachricht einreihen…</translation>
    </message>
    <message>
        <source>Nacked/s</source>
        <translation>Abgelehnt/s</translation>
    </message>
    <message>
        <source>Dead-lettered/s</source>
        <translation>Zu Dead Letters/s</translation>
    </message>
    <message>
        <source>No queues yet</source>
        <translation>Noch keine Warteschlangen</translation>
    </message>
    <message>
        <source>A queue is created on first use: an enqueue (POST /api/queues/NAME/messages, or Enqueue test message…) or a consumer&apos;s {&quot;type&quot;:&quot;consume&quot;}.</source>
        <translation>Eine Warteschlange entsteht bei der ersten Verwendung: durch Einreihen (POST /api/queues/NAME/messages oder Testnachricht einreihen…) oder durch das {&quot;type&quot;:&quot;consume&quot;} eines Konsumenten.</translation>
    </message>
    <message>
        <source>Queues run with the server: start it on the Overview page.</source>
        <translation>Warteschlangen laufen mit dem Server: Starten Sie ihn auf der Seite Übersicht.</translation>
    </message>
    <message>
        <source>All queues</source>
        <translation>Alle Warteschlangen</translation>
    </message>
    <message>
        <source>Depth by state</source>
        <translation>Tiefe nach Zustand</translation>
    </message>
    <message>
        <source>all queues</source>
        <translation>alle Warteschlangen</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>bereit</translation>
    </message>
    <message>
        <source>in flight</source>
        <translation>in Bearbeitung</translation>
    </message>
    <message>
        <source>delayed</source>
        <translation>verzögert</translation>
    </message>
    <message>
        <source>dead</source>
        <translation>tot</translation>
    </message>
    <message>
        <source>Dead letters of %1</source>
        <translation>Dead Letters von %1</translation>
    </message>
    <message>
        <source>Purge…</source>
        <translation>Leeren…</translation>
    </message>
    <message>
        <source>Select a queue</source>
        <translation>Warteschlange auswählen</translation>
    </message>
    <message>
        <source>Its dead letters appear here, 50 at a time, with retry and purge.</source>
        <translation>Ihre Dead Letters erscheinen hier, je 50 auf einmal, mit Wiederholen und Leeren.</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>Dead since</source>
        <translation>Tot seit</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Versuche</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Letzter Fehler</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Nutzdaten</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 von %2</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>No dead letters</source>
        <translation>Keine Dead Letters</translation>
    </message>
    <message>
        <source>A message lands here after its last attempt failed (nack, visibility timeout or a lost consumer).</source>
        <translation>Eine Nachricht landet hier, wenn ihr letzter Versuch fehlgeschlagen ist (Nack, Sichtbarkeits-Timeout oder verlorener Konsument).</translation>
    </message>
    <message>
        <source>none</source>
        <translation>keine</translation>
    </message>
    <message>
        <source>%1–%2 of %3</source>
        <translation>%1–%2 von %3</translation>
    </message>
    <message>
        <source>‹ Previous</source>
        <translation>‹ Zurück</translation>
    </message>
    <message>
        <source>Next ›</source>
        <translation>Weiter ›</translation>
    </message>
    <message>
        <source>Purge dead letters?</source>
        <translation>Dead Letters leeren?</translation>
    </message>
    <message numerus="yes">
        <source>This deletes the %n dead letter(s) of %1 for good; they cannot be retried afterwards.</source>
        <translation>
            <numerusform>Damit wird %n Dead Letter von %1 endgültig gelöscht; er kann danach nicht mehr wiederholt werden.</numerusform>
            <numerusform>Damit werden %n Dead Letters von %1 endgültig gelöscht; sie können danach nicht mehr wiederholt werden.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>The durable queue store is not available.</source>
        <translation>Der dauerhafte Warteschlangenspeicher ist nicht verfügbar.</translation>
    </message>
    <message>
        <source>Fix the payload: %1</source>
        <translation>Nutzdaten korrigieren: %1</translation>
    </message>
    <message>
        <source>Enqueue a test message</source>
        <translation>Testnachricht einreihen</translation>
    </message>
    <message>
        <source>e.g. booking_queue</source>
        <translation>z.&#xa0;B. booking_queue</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priorität</translation>
    </message>
    <message>
        <source>high</source>
        <translation>hoch</translation>
    </message>
    <message>
        <source>normal</source>
        <translation>normal</translation>
    </message>
    <message>
        <source>low</source>
        <translation>niedrig</translation>
    </message>
    <message>
        <source>Max attempts</source>
        <translation>Max. Versuche</translation>
    </message>
    <message>
        <source>Delay</source>
        <translation>Verzögerung</translation>
    </message>
    <message>
        <source>s (0 = ready at once)</source>
        <translation>s (0 = sofort bereit)</translation>
    </message>
    <message>
        <source>Enqueue</source>
        <translation>Einreihen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <source>Message %1 · priority %2 · dead since %3
Last error: %4

%5</source>
        <translation>Nachricht %1 · Priorität %2 · tot seit %3
Letzter Fehler: %4

%5</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>verbunden</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>verbindet</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>getrennt</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>gestoppt</translation>
    </message>
    <message>
        <source>RabbitMQ bridge</source>
        <translation>RabbitMQ-Brücke</translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n connect(s)</source>
        <translation>
            <numerusform>%1 · %n Verbindungsaufbau</numerusform>
            <numerusform>%1 · %n Verbindungsaufbauten</numerusform>
        </translation>
    </message>
    <message>
        <source>Exchange</source>
        <translation>Exchange</translation>
    </message>
    <message>
        <source>Routing keys</source>
        <translation>Routing-Keys</translation>
    </message>
    <message>
        <source>Received/s</source>
        <translation>Empfangen/s</translation>
    </message>
    <message>
        <source>Emitted/s</source>
        <translation>Gesendet/s</translation>
    </message>
    <message>
        <source>Rejected/s</source>
        <translation>Abgewiesen/s</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgewiesen</translation>
    </message>
    <message>
        <source>Redelivered</source>
        <translation>Erneut zugestellt</translation>
    </message>
</context>
<context>
    <name>RoomsPage</name>
    <message>
        <source>Rooms</source>
        <translation>Räume</translation>
    </message>
    <message>
        <source>Rooms exist while they have members: user:, role: and token rooms are joined on connect, others by subscribe.</source>
        <translation>Räume bestehen, solange sie Mitglieder haben: user:-, role:- und Token-Räume werden beim Verbinden betreten, andere per subscribe.</translation>
    </message>
    <message>
        <source>Filter rooms</source>
        <translation>Räume filtern</translation>
    </message>
    <message>
        <source>%1 of %2 rooms</source>
        <translation>%1 von %2 Räumen</translation>
    </message>
    <message numerus="yes">
        <source>%n room(s)</source>
        <translation>
            <numerusform>%n Raum</numerusform>
            <numerusform>%n Räume</numerusform>
        </translation>
    </message>
    <message>
        <source>user</source>
        <translation>Nutzer</translation>
    </message>
    <message>
        <source>role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>room</source>
        <translation>Raum</translation>
    </message>
    <message>
        <source>No room matches the filter</source>
        <translation>Kein Raum passt zum Filter</translation>
    </message>
    <message>
        <source>No rooms yet</source>
        <translation>Noch keine Räume</translation>
    </message>
    <message>
        <source>Select a room</source>
        <translation>Wählen Sie einen Raum</translation>
    </message>
    <message>
        <source>Its members appear here; you can broadcast to the room or remove a member from it.</source>
        <translation>Hier erscheinen seine Mitglieder; Sie können an den Raum senden oder ein Mitglied daraus entfernen.</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n Mitglied</numerusform>
            <numerusform>%n Mitglieder</numerusform>
        </translation>
    </message>
    <message>
        <source>Broadcast to this room</source>
        <translation>An diesen Raum senden</translation>
    </message>
    <message>
        <source>event name</source>
        <translation>Ereignisname</translation>
    </message>
    <message>
        <source>payload (JSON)</source>
        <translation>Nutzdaten (JSON)</translation>
    </message>
    <message>
        <source>Broadcast</source>
        <translation>Senden</translation>
    </message>
    <message>
        <source>Open in Emit…</source>
        <translation>In „Senden“ öffnen…</translation>
    </message>
    <message numerus="yes">
        <source>Delivered to %n socket(s)</source>
        <translation>
            <numerusform>An %n Socket zugestellt</numerusform>
            <numerusform>An %n Sockets zugestellt</numerusform>
        </translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Mitglieder</translation>
    </message>
    <message>
        <source>Remove selected member from room</source>
        <translation>Ausgewähltes Mitglied aus dem Raum entfernen</translation>
    </message>
</context>
<context>
    <name>SecretField</name>
    <message>
        <source>(not set)</source>
        <translation>(nicht gesetzt)</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Verbergen</translation>
    </message>
    <message>
        <source>Reveal</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Server values come from flags, SWITCHBOARD_* variables or the config file; they apply at start.</source>
        <translation>Serverwerte stammen aus Optionen, SWITCHBOARD_*-Variablen oder der Konfigurationsdatei; sie gelten ab dem Start.</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>HTTP address</source>
        <translation>HTTP-Adresse</translation>
    </message>
    <message>
        <source>WebSocket</source>
        <translation>WebSocket</translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation>Datenverzeichnis</translation>
    </message>
    <message>
        <source>I/O threads</source>
        <translation>I/O-Threads</translation>
    </message>
    <message>
        <source>Cluster (Redis)</source>
        <translation>Cluster (Redis)</translation>
    </message>
    <message>
        <source>standalone</source>
        <translation>eigenständig</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>Grenzen</translation>
    </message>
    <message>
        <source>Max connections</source>
        <translation>Max. Verbindungen</translation>
    </message>
    <message>
        <source>Heartbeat</source>
        <translation>Heartbeat</translation>
    </message>
    <message>
        <source>ping every %1 s, timeout %2 s</source>
        <translation>Ping alle %1 s, Timeout %2 s</translation>
    </message>
    <message>
        <source>Max message size</source>
        <translation>Max. Nachrichtengröße</translation>
    </message>
    <message>
        <source>Rate limit</source>
        <translation>Ratenbegrenzung</translation>
    </message>
    <message>
        <source>%1 messages/s per connection, burst %2</source>
        <translation>%1 Nachrichten/s pro Verbindung, Burst %2</translation>
    </message>
    <message>
        <source>Send buffer cap</source>
        <translation>Sendepuffer-Grenze</translation>
    </message>
    <message>
        <source>Secrets</source>
        <translation>Geheimnisse</translation>
    </message>
    <message>
        <source>Masked; reveal only on a trusted screen</source>
        <translation>Maskiert; nur auf einem vertrauenswürdigen Bildschirm anzeigen</translation>
    </message>
    <message>
        <source>JWT secret</source>
        <translation>JWT-Geheimnis</translation>
    </message>
    <message>
        <source>Internal key</source>
        <translation>Interner Schlüssel</translation>
    </message>
    <message>
        <source>Admin token</source>
        <translation>Admin-Token</translation>
    </message>
    <message>
        <source>Appearance and language</source>
        <translation>Darstellung und Sprache</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Design</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>Token tool</source>
        <translation>Token-Werkzeug</translation>
    </message>
    <message>
        <source>Mint a development JWT signed with this server&apos;s secret, and a ready-to-use WebSocket URL</source>
        <translation>Ein Entwicklungs-JWT erstellen, signiert mit dem Geheimnis dieses Servers, samt fertiger WebSocket-URL</translation>
    </message>
    <message>
        <source>user id (required)</source>
        <translation>Benutzer-ID (erforderlich)</translation>
    </message>
    <message>
        <source>role, e.g. admin</source>
        <translation>Rolle, z.&#xa0;B. admin</translation>
    </message>
    <message>
        <source>rooms, comma separated</source>
        <translation>Räume, durch Kommas getrennt</translation>
    </message>
    <message>
        <source>valid for</source>
        <translation>gültig für</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 Stunde</translation>
    </message>
    <message>
        <source>1 day</source>
        <translation>1 Tag</translation>
    </message>
    <message>
        <source>7 days</source>
        <translation>7 Tage</translation>
    </message>
    <message>
        <source>Mint token</source>
        <translation>Token erstellen</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>Copy token</source>
        <translation>Token kopieren</translation>
    </message>
    <message>
        <source>Token copied</source>
        <translation>Token kopiert</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Copy URL</source>
        <translation>URL kopieren</translation>
    </message>
    <message>
        <source>URL copied</source>
        <translation>URL kopiert</translation>
    </message>
    <message>
        <source>Try it: npx wscat -c &quot;%1&quot;</source>
        <translation>Ausprobieren: npx wscat -c &quot;%1&quot;</translation>
    </message>
</context>
<context>
    <name>Switchboard::ConnectionsModel</name>
    <message>
        <source>%1 s ago</source>
        <translation>vor %1 s</translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation>vor %1 min</translation>
    </message>
    <message>
        <source>%1 h ago</source>
        <translation>vor %1 h</translation>
    </message>
    <message>
        <source>%1 d ago</source>
        <translation>vor %1 T</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Benutzer</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Rolle</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Verbunden</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation>Aktivität</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Räume</translation>
    </message>
    <message>
        <source>Msgs in</source>
        <translation>Eingang</translation>
    </message>
    <message>
        <source>Msgs out</source>
        <translation>Ausgang</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Ausstehend</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protokoll</translation>
    </message>
    <message>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>native</source>
        <translation>nativ</translation>
    </message>
    <message>
        <source>Socket.IO</source>
        <translation>Socket.IO</translation>
    </message>
    <message>
        <source>WebSocket</source>
        <translation>WebSocket</translation>
    </message>
    <message>
        <source>polling</source>
        <translation>Polling</translation>
    </message>
</context>
<context>
    <name>Switchboard::Emitter</name>
    <message>
        <source>No server</source>
        <translation>Kein Server</translation>
    </message>
    <message>
        <source>Enter an event name</source>
        <translation>Geben Sie einen Ereignisnamen ein</translation>
    </message>
    <message>
        <source>Payload is not valid JSON (line %1, column %2): %3</source>
        <translation>Die Nutzdaten sind kein gültiges JSON (Zeile %1, Spalte %2): %3</translation>
    </message>
    <message>
        <source>Enter a connection id (a number)</source>
        <translation>Geben Sie eine Verbindungs-ID ein (eine Zahl)</translation>
    </message>
    <message>
        <source>Unknown target</source>
        <translation>Unbekanntes Ziel</translation>
    </message>
    <message>
        <source>Enter a target</source>
        <translation>Geben Sie ein Ziel ein</translation>
    </message>
</context>
<context>
    <name>Switchboard::EventsModel</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>%1 kann nicht geschrieben werden: %2</translation>
    </message>
</context>
<context>
    <name>Switchboard::JsonCheck</name>
    <message>
        <source>an object is not closed: a &apos;}&apos; or &apos;,&apos; is missing</source>
        <translation>ein Objekt ist nicht geschlossen: es fehlt &apos;}&apos; oder &apos;,&apos;</translation>
    </message>
    <message>
        <source>a &apos;:&apos; is missing after a key</source>
        <translation>nach einem Schlüssel fehlt &apos;:&apos;</translation>
    </message>
    <message>
        <source>an array is not closed: a &apos;]&apos; or &apos;,&apos; is missing</source>
        <translation>ein Array ist nicht geschlossen: es fehlt &apos;]&apos; oder &apos;,&apos;</translation>
    </message>
    <message>
        <source>a &apos;,&apos; is missing between values</source>
        <translation>zwischen Werten fehlt &apos;,&apos;</translation>
    </message>
    <message>
        <source>this is not a JSON value (strings need double quotes)</source>
        <translation>das ist kein JSON-Wert (Zeichenketten brauchen doppelte Anführungszeichen)</translation>
    </message>
    <message>
        <source>the text ends inside a number</source>
        <translation>der Text endet mitten in einer Zahl</translation>
    </message>
    <message>
        <source>this number is not valid JSON</source>
        <translation>diese Zahl ist kein gültiges JSON</translation>
    </message>
    <message>
        <source>invalid escape sequence in a string</source>
        <translation>ungültige Escape-Sequenz in einer Zeichenkette</translation>
    </message>
    <message>
        <source>invalid UTF-8 in a string</source>
        <translation>ungültiges UTF-8 in einer Zeichenkette</translation>
    </message>
    <message>
        <source>a string is not closed: a &apos;&quot;&apos; is missing</source>
        <translation>eine Zeichenkette ist nicht geschlossen: es fehlt &apos;&quot;&apos;</translation>
    </message>
    <message>
        <source>an object was expected</source>
        <translation>ein Objekt wurde erwartet</translation>
    </message>
    <message>
        <source>the document is nested too deeply</source>
        <translation>das Dokument ist zu tief verschachtelt</translation>
    </message>
    <message>
        <source>the document is too large</source>
        <translation>das Dokument ist zu groß</translation>
    </message>
    <message>
        <source>unexpected text after the value (only one value is allowed)</source>
        <translation>unerwarteter Text nach dem Wert (nur ein Wert ist erlaubt)</translation>
    </message>
    <message>
        <source>invalid JSON</source>
        <translation>ungültiges JSON</translation>
    </message>
    <message>
        <source>empty: enter a JSON value, e.g. {}</source>
        <translation>leer: geben Sie einen JSON-Wert ein, z.&#xa0;B. {}</translation>
    </message>
    <message>
        <source>null</source>
        <translation>null</translation>
    </message>
    <message>
        <source>boolean</source>
        <translation>Wahrheitswert</translation>
    </message>
    <message>
        <source>number</source>
        <translation>Zahl</translation>
    </message>
    <message>
        <source>string</source>
        <translation>Zeichenkette</translation>
    </message>
    <message>
        <source>array</source>
        <translation>Array</translation>
    </message>
    <message>
        <source>object</source>
        <translation>Objekt</translation>
    </message>
    <message>
        <source>strings and keys need double quotes, not single quotes</source>
        <translation>Zeichenketten und Schlüssel brauchen doppelte, keine einfachen Anführungszeichen</translation>
    </message>
    <message>
        <source>remove the comma before &apos;%1&apos;: JSON allows no trailing comma</source>
        <translation>Komma vor &apos;%1&apos; entfernen: JSON erlaubt kein abschließendes Komma</translation>
    </message>
    <message>
        <source>a value is missing after &apos;:&apos;</source>
        <translation>nach &apos;:&apos; fehlt ein Wert</translation>
    </message>
</context>
<context>
    <name>Switchboard::LocalSource</name>
    <message>
        <source>The durable queue store is not available (is the server running?).</source>
        <translation>Der dauerhafte Warteschlangenspeicher ist nicht verfügbar (läuft der Server?).</translation>
    </message>
    <message>
        <source>The connection is gone.</source>
        <translation>Die Verbindung besteht nicht mehr.</translation>
    </message>
    <message>
        <source>Unknown action %1.</source>
        <translation>Unbekannte Aktion %1.</translation>
    </message>
</context>
<context>
    <name>Switchboard::ProfilesModel</name>
    <message>
        <source>Profile %1 saved.</source>
        <translation>Profil %1 gespeichert.</translation>
    </message>
    <message>
        <source>Profile %1 saved; its token is in the system keychain.</source>
        <translation>Profil %1 gespeichert; sein Token liegt im Schlüsselbund des Systems.</translation>
    </message>
    <message>
        <source>No keychain on this system: the token of %1 is saved in plain text in the console&apos;s settings file, as you asked.</source>
        <translation>Kein Schlüsselbund auf diesem System: Das Token von %1 ist wie gewünscht im Klartext in der Einstellungsdatei der Konsole gespeichert.</translation>
    </message>
    <message>
        <source>No keychain on this system: profile %1 is saved without its token; you will be asked for it when you connect.</source>
        <translation>Kein Schlüsselbund auf diesem System: Profil %1 ist ohne Token gespeichert; beim Verbinden werden Sie danach gefragt.</translation>
    </message>
    <message>
        <source>The keychain refused the token (%1); profile %2 is saved without it.</source>
        <translation>Der Schlüsselbund hat das Token abgelehnt (%1); Profil %2 ist ohne Token gespeichert.</translation>
    </message>
    <message>
        <source>Profile %1 removed.</source>
        <translation>Profil %1 entfernt.</translation>
    </message>
    <message>
        <source>There is no profile named %1.</source>
        <translation>Es gibt kein Profil namens %1.</translation>
    </message>
    <message>
        <source>No saved token for %1: enter it to connect.</source>
        <translation>Kein gespeichertes Token für %1: Geben Sie es zum Verbinden ein.</translation>
    </message>
    <message>
        <source>Enter the admin token.</source>
        <translation>Geben Sie das Admin-Token ein.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Verbinde mit %1…</translation>
    </message>
</context>
<context>
    <name>Switchboard::QueueActions</name>
    <message>
        <source>Enter a queue name.</source>
        <translation>Geben Sie einen Warteschlangennamen ein.</translation>
    </message>
    <message>
        <source>Queue names are 1–128 characters from A–Z, a–z, 0–9 and _ . : -</source>
        <translation>Warteschlangennamen bestehen aus 1–128 Zeichen aus A–Z, a–z, 0–9 und _ . : -</translation>
    </message>
    <message>
        <source>The durable queue store is not available (is the server running?).</source>
        <translation>Der dauerhafte Warteschlangenspeicher ist nicht verfügbar (läuft der Server?).</translation>
    </message>
    <message>
        <source>The payload is not valid JSON (line %1, column %2): %3</source>
        <translation>Die Nutzdaten sind kein gültiges JSON (Zeile %1, Spalte %2): %3</translation>
    </message>
    <message>
        <source>Choose a priority: high, normal or low.</source>
        <translation>Wählen Sie eine Priorität: hoch, normal oder niedrig.</translation>
    </message>
    <message>
        <source>Max attempts must be a whole number from 1 to 1000.</source>
        <translation>Max. Versuche muss eine ganze Zahl von 1 bis 1000 sein.</translation>
    </message>
    <message>
        <source>The delay must be from 0 to 30 days.</source>
        <translation>Die Verzögerung muss zwischen 0 und 30 Tagen liegen.</translation>
    </message>
    <message>
        <source>The payload is %1 bytes as JSON; the limit is %2.</source>
        <translation>Die Nutzdaten sind als JSON %1 Bytes groß; die Grenze liegt bei %2.</translation>
    </message>
    <message>
        <source>Not enqueued: %1</source>
        <translation>Nicht eingereiht: %1</translation>
    </message>
    <message>
        <source>Message %1 enqueued to %2, delayed by %3 s.</source>
        <translation>Nachricht %1 in %2 eingereiht, um %3 s verzögert.</translation>
    </message>
    <message>
        <source>Message %1 enqueued to %2.</source>
        <translation>Nachricht %1 in %2 eingereiht.</translation>
    </message>
    <message>
        <source>Choose a dead letter to retry.</source>
        <translation>Wählen Sie einen Dead Letter zum Wiederholen.</translation>
    </message>
    <message>
        <source>There is no queue named %1.</source>
        <translation>Es gibt keine Warteschlange namens %1.</translation>
    </message>
    <message>
        <source>The store could not move the message; see the server log.</source>
        <translation>Der Speicher konnte die Nachricht nicht verschieben; siehe Server-Log.</translation>
    </message>
    <message>
        <source>Message %1 is no longer in the dead letters of %2.</source>
        <translation>Nachricht %1 ist nicht mehr unter den Dead Letters von %2.</translation>
    </message>
    <message>
        <source>Message %1 is back in %2, ready for a consumer.</source>
        <translation>Nachricht %1 ist zurück in %2, bereit für einen Konsumenten.</translation>
    </message>
    <message>
        <source>The store could not move the messages; see the server log.</source>
        <translation>Der Speicher konnte die Nachrichten nicht verschieben; siehe Server-Log.</translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) of %1 moved back to ready.</source>
        <translation>
            <numerusform>%n Dead Letter von %1 ist wieder bereit.</numerusform>
            <numerusform>%n Dead Letters von %1 sind wieder bereit.</numerusform>
        </translation>
    </message>
    <message>
        <source>The store could not purge the dead letters; see the server log.</source>
        <translation>Der Speicher konnte die Dead Letters nicht leeren; siehe Server-Log.</translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) of %1 purged.</source>
        <translation>
            <numerusform>%n Dead Letter von %1 gelöscht.</numerusform>
            <numerusform>%n Dead Letters von %1 gelöscht.</numerusform>
        </translation>
    </message>
    <message>
        <source>Your role may not do this (%1).</source>
        <translation>Ihre Rolle darf das nicht (%1).</translation>
    </message>
    <message>
        <source>Refused (%1): %2</source>
        <translation>Abgelehnt (%1): %2</translation>
    </message>
    <message>
        <source>Not connected to the node.</source>
        <translation>Nicht mit dem Knoten verbunden.</translation>
    </message>
</context>
<context>
    <name>Switchboard::RemoteSource</name>
    <message>
        <source>%1 is not an http:// or https:// address.</source>
        <translation>%1 ist keine http://- oder https://-Adresse.</translation>
    </message>
    <message>
        <source>The connection to the node was lost.</source>
        <translation>Die Verbindung zum Knoten ist abgerissen.</translation>
    </message>
    <message>
        <source>The node refused the admin token.</source>
        <translation>Der Knoten hat das Admin-Token abgelehnt.</translation>
    </message>
    <message>
        <source>Disconnected.</source>
        <translation>Getrennt.</translation>
    </message>
    <message>
        <source>The connection was closed (code %1).</source>
        <translation>Die Verbindung wurde geschlossen (Code %1).</translation>
    </message>
    <message>
        <source>on %1</source>
        <translation>auf %1</translation>
    </message>
    <message>
        <source>Not connected to the node.</source>
        <translation>Nicht mit dem Knoten verbunden.</translation>
    </message>
    <message>
        <source>superseded</source>
        <translation>ersetzt</translation>
    </message>
    <message>
        <source>This profile is read-only.</source>
        <translation>Dieses Profil ist schreibgeschützt.</translation>
    </message>
    <message>
        <source>Your role (%1) may not do this; it needs %2.</source>
        <translation>Ihre Rolle (%1) darf das nicht; nötig ist %2.</translation>
    </message>
    <message>
        <source>Too many actions waiting for the node.</source>
        <translation>Zu viele Aktionen warten auf den Knoten.</translation>
    </message>
</context>
<context>
    <name>Switchboard::ServerStatus</name>
    <message>
        <source>This connection profile is read-only.</source>
        <translation>Dieses Verbindungsprofil ist schreibgeschützt.</translation>
    </message>
    <message>
        <source>Not connected to the node yet.</source>
        <translation>Noch nicht mit dem Knoten verbunden.</translation>
    </message>
    <message>
        <source>Needs the %1 role; you are %2.</source>
        <translation>Erfordert die Rolle %1; Sie sind %2.</translation>
    </message>
    <message>
        <source>not signed in</source>
        <translation>nicht angemeldet</translation>
    </message>
</context>
</TS>

<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>ConnectDialog</name>
    <message>
        <source>Connect to server</source>
        <translation>Connect to server</translation>
    </message>
    <message>
        <source>Saved profiles</source>
        <translation>Saved profiles</translation>
    </message>
    <message>
        <source>production</source>
        <translation>production</translation>
    </message>
    <message>
        <source>read-only</source>
        <translation>read-only</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>Connect</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Node</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Admin token</source>
        <translation>Admin token</translation>
    </message>
    <message>
        <source>from switchboard admin-token</source>
        <translation>from switchboard admin-token</translation>
    </message>
    <message>
        <source>Profile name</source>
        <translation>Profile name</translation>
    </message>
    <message>
        <source>optional, to save it</source>
        <translation>optional, to save it</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Colour</translation>
    </message>
    <message>
        <source>Production (a red banner)</source>
        <translation>Production (a red banner)</translation>
    </message>
    <message>
        <source>Read-only (no actions from this console)</source>
        <translation>Read-only (no actions from this console)</translation>
    </message>
    <message>
        <source>No keychain: store the token in plain text in the settings file</source>
        <translation>No keychain: store the token in plain text in the settings file</translation>
    </message>
    <message>
        <source>This system has no keychain (Secret Service or KWallet). Unless you tick the box, the token is not saved and you enter it each time.</source>
        <translation>This system has no keychain (Secret Service or KWallet). Unless you tick the box, the token is not saved and you enter it each time.</translation>
    </message>
    <message>
        <source>Save profile</source>
        <translation>Save profile</translation>
    </message>
</context>
<context>
    <name>ConnectionsPage</name>
    <message>
        <source>Connections</source>
        <translation>Connections</translation>
    </message>
    <message>
        <source>Every open connection, native or Socket.IO. Click a row for details and actions; click a column header to sort.</source>
        <translation>Every open connection, native or Socket.IO. Click a row for details and actions; click a column header to sort.</translation>
    </message>
    <message>
        <source>Filter by id, user, role, address, room, protocol or transport</source>
        <translation>Filter by id, user, role, address, room, protocol or transport</translation>
    </message>
    <message>
        <source>%1 of %2 connections</source>
        <translation>%1 of %2 connections</translation>
    </message>
    <message numerus="yes">
        <source>%n connection(s)</source>
        <translation>
            <numerusform>%n connection</numerusform>
            <numerusform>%n connections</numerusform>
        </translation>
    </message>
    <message>
        <source>No connection matches the filter</source>
        <translation>No connection matches the filter</translation>
    </message>
    <message>
        <source>No clients connected</source>
        <translation>No clients connected</translation>
    </message>
    <message>
        <source>Clients connect to %1?token=… — mint a dev token on the Settings page.</source>
        <translation>Clients connect to %1?token=… — mint a dev token on the Settings page.</translation>
    </message>
    <message>
        <source>Connection #%1</source>
        <translation>Connection #%1</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>connected</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>disconnected</translation>
    </message>
    <message>
        <source>Close details</source>
        <translation>Close details</translation>
    </message>
    <message>
        <source>User</source>
        <translation>User</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocol</translation>
    </message>
    <message>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>Connected at</source>
        <translation>Connected at</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation>Last activity</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>Messages</translation>
    </message>
    <message>
        <source>%1 in · %2 out</source>
        <translation>%1 in · %2 out</translation>
    </message>
    <message>
        <source>Bytes</source>
        <translation>Bytes</translation>
    </message>
    <message>
        <source>Pending send</source>
        <translation>Pending send</translation>
    </message>
    <message>
        <source>I/O thread</source>
        <translation>I/O thread</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Rooms</translation>
    </message>
    <message>
        <source>Leave</source>
        <translation>Leave</translation>
    </message>
    <message>
        <source>room name, e.g. order:42</source>
        <translation>room name, e.g. order:42</translation>
    </message>
    <message>
        <source>Join</source>
        <translation>Join</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <source>Send event to this connection…</source>
        <translation>Send event to this connection…</translation>
    </message>
    <message>
        <source>…to the user</source>
        <translation>…to the user</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>Disconnect</translation>
    </message>
    <message>
        <source>1000 · normal closure</source>
        <translation>1000 · normal closure</translation>
    </message>
    <message>
        <source>1001 · going away</source>
        <translation>1001 · going away</translation>
    </message>
    <message>
        <source>1008 · policy violation</source>
        <translation>1008 · policy violation</translation>
    </message>
    <message>
        <source>1011 · server error</source>
        <translation>1011 · server error</translation>
    </message>
    <message>
        <source>4000 · internal error</source>
        <translation>4000 · internal error</translation>
    </message>
    <message>
        <source>Use 1000, 1001, 1008, 1011 or an application code 3000–4999.</source>
        <translation>Use 1000, 1001, 1008, 1011 or an application code 3000–4999.</translation>
    </message>
    <message>
        <source>reason (sent to the client)</source>
        <translation>reason (sent to the client)</translation>
    </message>
    <message>
        <source>disconnected by operator</source>
        <translation>disconnected by operator</translation>
    </message>
    <message>
        <source>‹ Previous</source>
        <translation>‹ Previous</translation>
    </message>
    <message>
        <source>Next ›</source>
        <translation>Next ›</translation>
    </message>
</context>
<context>
    <name>EmitPage</name>
    <message>
        <source>The server is stopped.</source>
        <translation>The server is stopped.</translation>
    </message>
    <message>
        <source>Enter an event name.</source>
        <translation>Enter an event name.</translation>
    </message>
    <message>
        <source>Choose a target.</source>
        <translation>Choose a target.</translation>
    </message>
    <message>
        <source>Fix the payload: %1</source>
        <translation>Fix the payload: %1</translation>
    </message>
    <message>
        <source>Notification</source>
        <translation>Notification</translation>
    </message>
    <message>
        <source>Order update</source>
        <translation>Order update</translation>
    </message>
    <message>
        <source>Chat message</source>
        <translation>Chat message</translation>
    </message>
    <message>
        <source>Force reload</source>
        <translation>Force reload</translation>
    </message>
    <message>
        <source>Empty object</source>
        <translation>Empty object</translation>
    </message>
    <message>
        <source>Emit</source>
        <translation>Emit</translation>
    </message>
    <message>
        <source>Send an event to clients, as a back-end service would through the HTTP API</source>
        <translation>Send an event to clients, as a back-end service would through the HTTP API</translation>
    </message>
    <message>
        <source>New event</source>
        <translation>New event</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Target</translation>
    </message>
    <message>
        <source>Broadcast</source>
        <translation>Broadcast</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Room</translation>
    </message>
    <message>
        <source>User</source>
        <translation>User</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Connection</translation>
    </message>
    <message>
        <source>User id</source>
        <translation>User id</translation>
    </message>
    <message>
        <source>Connection id</source>
        <translation>Connection id</translation>
    </message>
    <message>
        <source>e.g. order:42</source>
        <translation>e.g. order:42</translation>
    </message>
    <message>
        <source>e.g. 42</source>
        <translation>e.g. 42</translation>
    </message>
    <message>
        <source>e.g. 17</source>
        <translation>e.g. 17</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Event</translation>
    </message>
    <message>
        <source>event name, e.g. notification</source>
        <translation>event name, e.g. notification</translation>
    </message>
    <message>
        <source>Recent:</source>
        <translation>Recent:</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Payload</translation>
    </message>
    <message>
        <source>Templates…</source>
        <translation>Templates…</translation>
    </message>
    <message>
        <source>Pretty-print</source>
        <translation>Pretty-print</translation>
    </message>
    <message>
        <source>Require ack, timeout</source>
        <translation>Require ack, timeout</translation>
    </message>
    <message>
        <source>s</source>
        <translation>s</translation>
    </message>
    <message>
        <source>Persist for offline users</source>
        <translation>Persist for offline users</translation>
    </message>
    <message>
        <source>Stored and delivered when the user next connects (needs the durable store)</source>
        <translation>Stored and delivered when the user next connects (needs the durable store)</translation>
    </message>
    <message>
        <source>Exclude user</source>
        <translation>Exclude user</translation>
    </message>
    <message>
        <source>user id</source>
        <translation>user id</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Send</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>%1 · id %2</source>
        <translation>%1 · id %2</translation>
    </message>
    <message>
        <source>Nothing sent yet</source>
        <translation>Nothing sent yet</translation>
    </message>
    <message>
        <source>Delivered to</source>
        <translation>Delivered to</translation>
    </message>
    <message>
        <source>sockets</source>
        <translation>sockets</translation>
    </message>
    <message>
        <source>Acks</source>
        <translation>Acks</translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation>%1 / %2</translation>
    </message>
    <message>
        <source>waiting…</source>
        <translation>waiting…</translation>
    </message>
    <message>
        <source>timed out, %1 missing</source>
        <translation>timed out, %1 missing</translation>
    </message>
    <message numerus="yes">
        <source>%n nack(s)</source>
        <translation>
            <numerusform>%n nack</numerusform>
            <numerusform>%n nacks</numerusform>
        </translation>
    </message>
    <message>
        <source>all acknowledged</source>
        <translation>all acknowledged</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 ms</translation>
    </message>
    <message>
        <source>History</source>
        <translation>History</translation>
    </message>
    <message numerus="yes">
        <source>%n emit(s) from this console</source>
        <translation>
            <numerusform>%n emit from this console</numerusform>
            <numerusform>%n emits from this console</numerusform>
        </translation>
    </message>
    <message>
        <source>broadcast</source>
        <translation>broadcast</translation>
    </message>
    <message>
        <source>room %1</source>
        <translation>room %1</translation>
    </message>
    <message>
        <source>user %1</source>
        <translation>user %1</translation>
    </message>
    <message>
        <source>connection #%1</source>
        <translation>connection #%1</translation>
    </message>
    <message>
        <source>%1 sent · %2 acks</source>
        <translation>%1 sent · %2 acks</translation>
    </message>
    <message>
        <source>%1 sent</source>
        <translation>%1 sent</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>Edit</translation>
    </message>
    <message>
        <source>Re-send</source>
        <translation>Re-send</translation>
    </message>
    <message>
        <source>Sent events appear here, ready to re-send.</source>
        <translation>Sent events appear here, ready to re-send.</translation>
    </message>
</context>
<context>
    <name>EventsPage</name>
    <message>
        <source>Events</source>
        <translation>Events</translation>
    </message>
    <message>
        <source>Live log of events in, out and system events, newest first</source>
        <translation>Live log of events in, out and system events, newest first</translation>
    </message>
    <message>
        <source>▶ Resume</source>
        <translation>▶ Resume</translation>
    </message>
    <message>
        <source>❚❚ Pause</source>
        <translation>❚❚ Pause</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Clear</translation>
    </message>
    <message>
        <source>All</source>
        <translation>All</translation>
    </message>
    <message>
        <source>In</source>
        <translation>In</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>Out</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Event name</source>
        <translation>Event name</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>Room</translation>
    </message>
    <message>
        <source>User</source>
        <translation>User</translation>
    </message>
    <message>
        <source>Showing %1 of %2 buffered rows (max %3)</source>
        <translation>Showing %1 of %2 buffered rows (max %3)</translation>
    </message>
    <message>
        <source>%1 sampled out</source>
        <translation>%1 sampled out</translation>
    </message>
    <message>
        <source>Under heavy load the server keeps at most 2,000 log rows a second and only counts the rest</source>
        <translation>Under heavy load the server keeps at most 2,000 log rows a second and only counts the rest</translation>
    </message>
    <message>
        <source>paused</source>
        <translation>paused</translation>
    </message>
    <message>
        <source>Export JSON lines</source>
        <translation>Export JSON lines</translation>
    </message>
    <message numerus="yes">
        <source>%n row(s) written</source>
        <translation>
            <numerusform>%n row written</numerusform>
            <numerusform>%n rows written</numerusform>
        </translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>Dir</source>
        <translation>Dir</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Room / target</source>
        <translation>Room / target</translation>
    </message>
    <message>
        <source>Conn</source>
        <translation>Conn</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
    <message>
        <source>in</source>
        <translation>in</translation>
    </message>
    <message>
        <source>out</source>
        <translation>out</translation>
    </message>
    <message>
        <source>system</source>
        <translation>system</translation>
    </message>
    <message>
        <source>No event matches the filters</source>
        <translation>No event matches the filters</translation>
    </message>
    <message>
        <source>No events yet</source>
        <translation>No events yet</translation>
    </message>
    <message>
        <source>Connects, disconnects and every emitted event show up here as they happen.</source>
        <translation>Connects, disconnects and every emitted event show up here as they happen.</translation>
    </message>
</context>
<context>
    <name>FilterField</name>
    <message>
        <source>Filter</source>
        <translation>Filter</translation>
    </message>
    <message>
        <source>Clear filter</source>
        <translation>Clear filter</translation>
    </message>
</context>
<context>
    <name>JsonEditor</name>
    <message>
        <source>Line %1, column %2: %3</source>
        <translation>Line %1, column %2: %3</translation>
    </message>
    <message>
        <source>{ &quot;key&quot;: &quot;value&quot; }</source>
        <translation>{ &quot;key&quot;: &quot;value&quot; }</translation>
    </message>
    <message>
        <source>Empty payload: sends null</source>
        <translation>Empty payload: sends null</translation>
    </message>
    <message>
        <source>Valid JSON (%1)</source>
        <translation>Valid JSON (%1)</translation>
    </message>
</context>
<context>
    <name>LinkBanner</name>
    <message>
        <source>PRODUCTION</source>
        <translation>PRODUCTION</translation>
    </message>
    <message>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <source>connected as %1</source>
        <translation>connected as %1</translation>
    </message>
    <message>
        <source>connecting…</source>
        <translation>connecting…</translation>
    </message>
    <message>
        <source>reconnecting…</source>
        <translation>reconnecting…</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>refused</translation>
    </message>
    <message>
        <source>read-only</source>
        <translation>read-only</translation>
    </message>
    <message>
        <source>Stale data — %1</source>
        <translation>Stale data — %1</translation>
    </message>
    <message>
        <source>Stale data — the node is not reachable</source>
        <translation>Stale data — the node is not reachable</translation>
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
        <translation>Switchboard — %1 (remote)</translation>
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
        <translation>Operator console</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Overview</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Connections</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Rooms</translation>
    </message>
    <message>
        <source>Queues</source>
        <translation>Queues</translation>
    </message>
    <message>
        <source>Events</source>
        <translation>Events</translation>
    </message>
    <message>
        <source>Emit</source>
        <translation>Emit</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Server running</source>
        <translation>Server running</translation>
    </message>
    <message>
        <source>Server stopped</source>
        <translation>Server stopped</translation>
    </message>
    <message>
        <source>v%1</source>
        <translation>v%1</translation>
    </message>
    <message>
        <source>Remote: connected</source>
        <translation>Remote: connected</translation>
    </message>
    <message>
        <source>Remote: refused</source>
        <translation>Remote: refused</translation>
    </message>
    <message>
        <source>Remote: connecting…</source>
        <translation>Remote: connecting…</translation>
    </message>
    <message>
        <source>Remote: reconnecting…</source>
        <translation>Remote: reconnecting…</translation>
    </message>
    <message>
        <source>Connect to server…</source>
        <translation>Connect to server…</translation>
    </message>
</context>
<context>
    <name>NodesPane</name>
    <message>
        <source>Nodes</source>
        <translation>Nodes</translation>
    </message>
    <message>
        <source>All nodes</source>
        <translation>All nodes</translation>
    </message>
    <message>
        <source>%1 · %2 conn. · %3</source>
        <translation>%1 · %2 conn. · %3</translation>
    </message>
    <message>
        <source>up</source>
        <translation>up</translation>
    </message>
    <message>
        <source>gone</source>
        <translation>gone</translation>
    </message>
</context>
<context>
    <name>OverviewPage</name>
    <message>
        <source>%1 d %2 h %3 min</source>
        <translation>%1 d %2 h %3 min</translation>
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
        <translation>Overview</translation>
    </message>
    <message>
        <source>Live state of the embedded server</source>
        <translation>Live state of the embedded server</translation>
    </message>
    <message>
        <source>Live state of the remote node</source>
        <translation>Live state of the remote node</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Window</translation>
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
        <translation>Running</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <source>Listening on</source>
        <translation>Listening on</translation>
    </message>
    <message>
        <source>WebSocket endpoint</source>
        <translation>WebSocket endpoint</translation>
    </message>
    <message>
        <source>Uptime</source>
        <translation>Uptime</translation>
    </message>
    <message>
        <source>I/O threads</source>
        <translation>I/O threads</translation>
    </message>
    <message>
        <source>Stop server</source>
        <translation>Stop server</translation>
    </message>
    <message>
        <source>Start server</source>
        <translation>Start server</translation>
    </message>
    <message>
        <source>Closes every client with 1001 (going away) and stops listening</source>
        <translation>Closes every client with 1001 (going away) and stops listening</translation>
    </message>
    <message>
        <source>Listens again on the configured address</source>
        <translation>Listens again on the configured address</translation>
    </message>
    <message>
        <source>Connections</source>
        <translation>Connections</translation>
    </message>
    <message>
        <source>%1 total since start · limit %2</source>
        <translation>%1 total since start · limit %2</translation>
    </message>
    <message>
        <source>Users</source>
        <translation>Users</translation>
    </message>
    <message>
        <source>distinct user ids online</source>
        <translation>distinct user ids online</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Rooms</translation>
    </message>
    <message>
        <source>with at least one member</source>
        <translation>with at least one member</translation>
    </message>
    <message>
        <source>Queue depth</source>
        <translation>Queue depth</translation>
    </message>
    <message>
        <source>Events in</source>
        <translation>Events in</translation>
    </message>
    <message>
        <source>/s</source>
        <translation>/s</translation>
    </message>
    <message>
        <source>messages from clients</source>
        <translation>messages from clients</translation>
    </message>
    <message>
        <source>Events out</source>
        <translation>Events out</translation>
    </message>
    <message>
        <source>messages written to sockets</source>
        <translation>messages written to sockets</translation>
    </message>
    <message>
        <source>Error rate</source>
        <translation>Error rate</translation>
    </message>
    <message>
        <source>%1 auth failures · %2 rate limited</source>
        <translation>%1 auth failures · %2 rate limited</translation>
    </message>
    <message>
        <source>p99 latency</source>
        <translation>p99 latency</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>ms</translation>
    </message>
    <message>
        <source>emit → socket write · p50 %1 ms</source>
        <translation>emit → socket write · p50 %1 ms</translation>
    </message>
    <message>
        <source>connections</source>
        <translation>connections</translation>
    </message>
    <message>
        <source>users</source>
        <translation>users</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>Throughput</translation>
    </message>
    <message>
        <source>out</source>
        <translation>out</translation>
    </message>
    <message>
        <source>in</source>
        <translation>in</translation>
    </message>
    <message>
        <source>messages</source>
        <translation>messages</translation>
    </message>
    <message>
        <source>Latency</source>
        <translation>Latency</translation>
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
        <translation>ready + in flight + delayed</translation>
    </message>
    <message>
        <source>Degraded: %1. Clients of this node are served; emits do not reach the other nodes until it is back.</source>
        <translation>Degraded: %1. Clients of this node are served; emits do not reach the other nodes until it is back.</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>Cluster</translation>
    </message>
    <message>
        <source>This node: %1 · Redis %2</source>
        <translation>This node: %1 · Redis %2</translation>
    </message>
    <message>
        <source>Single node (start with --redis to join a cluster)</source>
        <translation>Single node (start with --redis to join a cluster)</translation>
    </message>
    <message>
        <source>%1 of %2 nodes up</source>
        <translation>%1 of %2 nodes up</translation>
    </message>
    <message>
        <source>Node</source>
        <translation>Node</translation>
    </message>
    <message>
        <source>State</source>
        <translation>State</translation>
    </message>
    <message>
        <source>In /s</source>
        <translation>In /s</translation>
    </message>
    <message>
        <source>Out /s</source>
        <translation>Out /s</translation>
    </message>
    <message>
        <source> (this node)</source>
        <translation> (this node)</translation>
    </message>
</context>
<context>
    <name>ProfileStore</name>
    <message>
        <source>Give the profile a name.</source>
        <translation>Give the profile a name.</translation>
    </message>
    <message>
        <source>Profile names are at most %1 characters.</source>
        <translation>Profile names are at most %1 characters.</translation>
    </message>
    <message>
        <source>The address must be http://host:port or https://host:port.</source>
        <translation>The address must be http://host:port or https://host:port.</translation>
    </message>
    <message>
        <source>At most %1 profiles; remove one first.</source>
        <translation>At most %1 profiles; remove one first.</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>Built without QtKeychain.</source>
        <translation>Built without QtKeychain.</translation>
    </message>
</context>
<context>
    <name>QueuesPage</name>
    <message>
        <source>Queues</source>
        <translation>Queues</translation>
    </message>
    <message>
        <source>Durable job queues: depth by state, rates, dead letters</source>
        <translation>Durable job queues: depth by state, rates, dead letters</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>Ready</translation>
    </message>
    <message>
        <source>In flight</source>
        <translation>In flight</translation>
    </message>
    <message>
        <source>Delayed</source>
        <translation>Delayed</translation>
    </message>
    <message>
        <source>Dead letters</source>
        <translation>Dead letters</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>Queue</translation>
    </message>
    <message>
        <source>Dead</source>
        <translation>Dead</translation>
    </message>
    <message>
        <source>Enqueued/s</source>
        <translation>Enqueued/s</translation>
    </message>
    <message>
        <source>Acked/s</source>
        <translation>Acked/s</translation>
    </message>
    <message>
        <source>Consumers</source>
        <translation>Consumers</translation>
    </message>
    <message>
        <source>Messages that used up their attempts: payload, attempts, last error</source>
        <translation>Messages that used up their attempts: payload, attempts, last error</translation>
    </message>
    <message>
        <source>Retry all</source>
        <translation>Retry all</translation>
    </message>
    <message>
        <source>Purge</source>
        <translation>Purge</translation>
    </message>
    <message>
        <source>unavailable</source>
        <translation>unavailable</translation>
    </message>
    <message>
        <source>durable</source>
        <translation>durable</translation>
    </message>
    <message>
        <source>in memory</source>
        <translation>in memory</translation>
    </message>
    <message>
        <source>Window</source>
        <translation>Window</translation>
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
        <translation>waiting for a consumer</translation>
    </message>
    <message>
        <source>delivered, not yet acked</source>
        <translation>delivered, not yet acked</translation>
    </message>
    <message>
        <source>backoff or delay pending</source>
        <translation>backoff or delay pending</translation>
    </message>
    <message>
        <source>used up their attempts</source>
        <translation>used up their attempts</translation>
    </message>
    <message numerus="yes">
        <source>%n queue(s)</source>
        <translation>
            <numerusform>%n queue</numerusform>
            <numerusform>%n queues</numerusform>
        </translation>
    </message>
    <message>
        <source>Enqueued</source>
        <translation>Enqueued</translation>
    </message>
    <message>
        <source>/s</source>
        <translation>/s</translation>
    </message>
    <message>
        <source>acked %1/s · nacked %2/s</source>
        <translation>acked %1/s · nacked %2/s</translation>
    </message>
    <message>
        <source>Store: %1 · click a queue for its chart and dead letters</source>
        <translation>Store: %1 · click a queue for its chart and dead letters</translation>
    </message>
    <message>
        <source>The durable queue store is not available</source>
        <translation>The durable queue store is not available</translation>
    </message>
    <message>
        <source>Enqueue test message…</source>
        <translation>Enqueue test message…</translation>
    </message>
    <message>
        <source>Nacked/s</source>
        <translation>Nacked/s</translation>
    </message>
    <message>
        <source>Dead-lettered/s</source>
        <translation>Dead-lettered/s</translation>
    </message>
    <message>
        <source>No queues yet</source>
        <translation>No queues yet</translation>
    </message>
    <message>
        <source>A queue is created on first use: an enqueue (POST /api/queues/NAME/messages, or Enqueue test message…) or a consumer&apos;s {&quot;type&quot;:&quot;consume&quot;}.</source>
        <translation>A queue is created on first use: an enqueue (POST /api/queues/NAME/messages, or Enqueue test message…) or a consumer&apos;s {&quot;type&quot;:&quot;consume&quot;}.</translation>
    </message>
    <message>
        <source>Queues run with the server: start it on the Overview page.</source>
        <translation>Queues run with the server: start it on the Overview page.</translation>
    </message>
    <message>
        <source>All queues</source>
        <translation>All queues</translation>
    </message>
    <message>
        <source>Depth by state</source>
        <translation>Depth by state</translation>
    </message>
    <message>
        <source>all queues</source>
        <translation>all queues</translation>
    </message>
    <message>
        <source>ready</source>
        <translation>ready</translation>
    </message>
    <message>
        <source>in flight</source>
        <translation>in flight</translation>
    </message>
    <message>
        <source>delayed</source>
        <translation>delayed</translation>
    </message>
    <message>
        <source>dead</source>
        <translation>dead</translation>
    </message>
    <message>
        <source>Dead letters of %1</source>
        <translation>Dead letters of %1</translation>
    </message>
    <message>
        <source>Purge…</source>
        <translation>Purge…</translation>
    </message>
    <message>
        <source>Select a queue</source>
        <translation>Select a queue</translation>
    </message>
    <message>
        <source>Its dead letters appear here, 50 at a time, with retry and purge.</source>
        <translation>Its dead letters appear here, 50 at a time, with retry and purge.</translation>
    </message>
    <message>
        <source>Id</source>
        <translation>Id</translation>
    </message>
    <message>
        <source>Dead since</source>
        <translation>Dead since</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>Attempts</translation>
    </message>
    <message>
        <source>Last error</source>
        <translation>Last error</translation>
    </message>
    <message>
        <source>Payload</source>
        <translation>Payload</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 of %2</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Retry</translation>
    </message>
    <message>
        <source>No dead letters</source>
        <translation>No dead letters</translation>
    </message>
    <message>
        <source>A message lands here after its last attempt failed (nack, visibility timeout or a lost consumer).</source>
        <translation>A message lands here after its last attempt failed (nack, visibility timeout or a lost consumer).</translation>
    </message>
    <message>
        <source>none</source>
        <translation>none</translation>
    </message>
    <message>
        <source>%1–%2 of %3</source>
        <translation>%1–%2 of %3</translation>
    </message>
    <message>
        <source>‹ Previous</source>
        <translation>‹ Previous</translation>
    </message>
    <message>
        <source>Next ›</source>
        <translation>Next ›</translation>
    </message>
    <message>
        <source>Purge dead letters?</source>
        <translation>Purge dead letters?</translation>
    </message>
    <message numerus="yes">
        <source>This deletes the %n dead letter(s) of %1 for good; they cannot be retried afterwards.</source>
        <translation>
            <numerusform>This deletes the %n dead letter of %1 for good; it cannot be retried afterwards.</numerusform>
            <numerusform>This deletes the %n dead letters of %1 for good; they cannot be retried afterwards.</numerusform>
        </translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>The durable queue store is not available.</source>
        <translation>The durable queue store is not available.</translation>
    </message>
    <message>
        <source>Fix the payload: %1</source>
        <translation>Fix the payload: %1</translation>
    </message>
    <message>
        <source>Enqueue a test message</source>
        <translation>Enqueue a test message</translation>
    </message>
    <message>
        <source>e.g. booking_queue</source>
        <translation>e.g. booking_queue</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Priority</translation>
    </message>
    <message>
        <source>high</source>
        <translation>high</translation>
    </message>
    <message>
        <source>normal</source>
        <translation>normal</translation>
    </message>
    <message>
        <source>low</source>
        <translation>low</translation>
    </message>
    <message>
        <source>Max attempts</source>
        <translation>Max attempts</translation>
    </message>
    <message>
        <source>Delay</source>
        <translation>Delay</translation>
    </message>
    <message>
        <source>s (0 = ready at once)</source>
        <translation>s (0 = ready at once)</translation>
    </message>
    <message>
        <source>Enqueue</source>
        <translation>Enqueue</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>Message %1 · priority %2 · dead since %3
Last error: %4

%5</source>
        <translation>Message %1 · priority %2 · dead since %3
Last error: %4

%5</translation>
    </message>
    <message>
        <source>connected</source>
        <translation>connected</translation>
    </message>
    <message>
        <source>connecting</source>
        <translation>connecting</translation>
    </message>
    <message>
        <source>disconnected</source>
        <translation>disconnected</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>stopped</translation>
    </message>
    <message>
        <source>RabbitMQ bridge</source>
        <translation>RabbitMQ bridge</translation>
    </message>
    <message numerus="yes">
        <source>%1 · %n connect(s)</source>
        <translation>
            <numerusform>%1 · %n connect</numerusform>
            <numerusform>%1 · %n connects</numerusform>
        </translation>
    </message>
    <message>
        <source>Exchange</source>
        <translation>Exchange</translation>
    </message>
    <message>
        <source>Routing keys</source>
        <translation>Routing keys</translation>
    </message>
    <message>
        <source>Received/s</source>
        <translation>Received/s</translation>
    </message>
    <message>
        <source>Emitted/s</source>
        <translation>Emitted/s</translation>
    </message>
    <message>
        <source>Rejected/s</source>
        <translation>Rejected/s</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Rejected</translation>
    </message>
    <message>
        <source>Redelivered</source>
        <translation>Redelivered</translation>
    </message>
</context>
<context>
    <name>RoomsPage</name>
    <message>
        <source>Rooms</source>
        <translation>Rooms</translation>
    </message>
    <message>
        <source>Rooms exist while they have members: user:, role: and token rooms are joined on connect, others by subscribe.</source>
        <translation>Rooms exist while they have members: user:, role: and token rooms are joined on connect, others by subscribe.</translation>
    </message>
    <message>
        <source>Filter rooms</source>
        <translation>Filter rooms</translation>
    </message>
    <message>
        <source>%1 of %2 rooms</source>
        <translation>%1 of %2 rooms</translation>
    </message>
    <message numerus="yes">
        <source>%n room(s)</source>
        <translation>
            <numerusform>%n room</numerusform>
            <numerusform>%n rooms</numerusform>
        </translation>
    </message>
    <message>
        <source>user</source>
        <translation>user</translation>
    </message>
    <message>
        <source>role</source>
        <translation>role</translation>
    </message>
    <message>
        <source>room</source>
        <translation>room</translation>
    </message>
    <message>
        <source>No room matches the filter</source>
        <translation>No room matches the filter</translation>
    </message>
    <message>
        <source>No rooms yet</source>
        <translation>No rooms yet</translation>
    </message>
    <message>
        <source>Select a room</source>
        <translation>Select a room</translation>
    </message>
    <message>
        <source>Its members appear here; you can broadcast to the room or remove a member from it.</source>
        <translation>Its members appear here; you can broadcast to the room or remove a member from it.</translation>
    </message>
    <message numerus="yes">
        <source>%n member(s)</source>
        <translation>
            <numerusform>%n member</numerusform>
            <numerusform>%n members</numerusform>
        </translation>
    </message>
    <message>
        <source>Broadcast to this room</source>
        <translation>Broadcast to this room</translation>
    </message>
    <message>
        <source>event name</source>
        <translation>event name</translation>
    </message>
    <message>
        <source>payload (JSON)</source>
        <translation>payload (JSON)</translation>
    </message>
    <message>
        <source>Broadcast</source>
        <translation>Broadcast</translation>
    </message>
    <message>
        <source>Open in Emit…</source>
        <translation>Open in Emit…</translation>
    </message>
    <message numerus="yes">
        <source>Delivered to %n socket(s)</source>
        <translation>
            <numerusform>Delivered to %n socket</numerusform>
            <numerusform>Delivered to %n sockets</numerusform>
        </translation>
    </message>
    <message>
        <source>Members</source>
        <translation>Members</translation>
    </message>
    <message>
        <source>Remove selected member from room</source>
        <translation>Remove selected member from room</translation>
    </message>
</context>
<context>
    <name>SecretField</name>
    <message>
        <source>(not set)</source>
        <translation>(not set)</translation>
    </message>
    <message>
        <source>Hide</source>
        <translation>Hide</translation>
    </message>
    <message>
        <source>Reveal</source>
        <translation>Reveal</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>Copy</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>Server values come from flags, SWITCHBOARD_* variables or the config file; they apply at start.</source>
        <translation>Server values come from flags, SWITCHBOARD_* variables or the config file; they apply at start.</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>HTTP address</source>
        <translation>HTTP address</translation>
    </message>
    <message>
        <source>WebSocket</source>
        <translation>WebSocket</translation>
    </message>
    <message>
        <source>Data directory</source>
        <translation>Data directory</translation>
    </message>
    <message>
        <source>I/O threads</source>
        <translation>I/O threads</translation>
    </message>
    <message>
        <source>Cluster (Redis)</source>
        <translation>Cluster (Redis)</translation>
    </message>
    <message>
        <source>standalone</source>
        <translation>standalone</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>Version</translation>
    </message>
    <message>
        <source>Limits</source>
        <translation>Limits</translation>
    </message>
    <message>
        <source>Max connections</source>
        <translation>Max connections</translation>
    </message>
    <message>
        <source>Heartbeat</source>
        <translation>Heartbeat</translation>
    </message>
    <message>
        <source>ping every %1 s, timeout %2 s</source>
        <translation>ping every %1 s, timeout %2 s</translation>
    </message>
    <message>
        <source>Max message size</source>
        <translation>Max message size</translation>
    </message>
    <message>
        <source>Rate limit</source>
        <translation>Rate limit</translation>
    </message>
    <message>
        <source>%1 messages/s per connection, burst %2</source>
        <translation>%1 messages/s per connection, burst %2</translation>
    </message>
    <message>
        <source>Send buffer cap</source>
        <translation>Send buffer cap</translation>
    </message>
    <message>
        <source>Secrets</source>
        <translation>Secrets</translation>
    </message>
    <message>
        <source>Masked; reveal only on a trusted screen</source>
        <translation>Masked; reveal only on a trusted screen</translation>
    </message>
    <message>
        <source>JWT secret</source>
        <translation>JWT secret</translation>
    </message>
    <message>
        <source>Internal key</source>
        <translation>Internal key</translation>
    </message>
    <message>
        <source>Admin token</source>
        <translation>Admin token</translation>
    </message>
    <message>
        <source>Appearance and language</source>
        <translation>Appearance and language</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Theme</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dark</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Light</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Language</translation>
    </message>
    <message>
        <source>Token tool</source>
        <translation>Token tool</translation>
    </message>
    <message>
        <source>Mint a development JWT signed with this server&apos;s secret, and a ready-to-use WebSocket URL</source>
        <translation>Mint a development JWT signed with this server&apos;s secret, and a ready-to-use WebSocket URL</translation>
    </message>
    <message>
        <source>user id (required)</source>
        <translation>user id (required)</translation>
    </message>
    <message>
        <source>role, e.g. admin</source>
        <translation>role, e.g. admin</translation>
    </message>
    <message>
        <source>rooms, comma separated</source>
        <translation>rooms, comma separated</translation>
    </message>
    <message>
        <source>valid for</source>
        <translation>valid for</translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation>1 hour</translation>
    </message>
    <message>
        <source>1 day</source>
        <translation>1 day</translation>
    </message>
    <message>
        <source>7 days</source>
        <translation>7 days</translation>
    </message>
    <message>
        <source>Mint token</source>
        <translation>Mint token</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>Token</translation>
    </message>
    <message>
        <source>Copy token</source>
        <translation>Copy token</translation>
    </message>
    <message>
        <source>Token copied</source>
        <translation>Token copied</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Copy URL</source>
        <translation>Copy URL</translation>
    </message>
    <message>
        <source>URL copied</source>
        <translation>URL copied</translation>
    </message>
    <message>
        <source>Try it: npx wscat -c &quot;%1&quot;</source>
        <translation>Try it: npx wscat -c &quot;%1&quot;</translation>
    </message>
</context>
<context>
    <name>Switchboard::ConnectionsModel</name>
    <message>
        <source>%1 s ago</source>
        <translation>%1 s ago</translation>
    </message>
    <message>
        <source>%1 min ago</source>
        <translation>%1 min ago</translation>
    </message>
    <message>
        <source>%1 h ago</source>
        <translation>%1 h ago</translation>
    </message>
    <message>
        <source>%1 d ago</source>
        <translation>%1 d ago</translation>
    </message>
    <message>
        <source>ID</source>
        <translation>ID</translation>
    </message>
    <message>
        <source>User</source>
        <translation>User</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Address</translation>
    </message>
    <message>
        <source>Connected</source>
        <translation>Connected</translation>
    </message>
    <message>
        <source>Last activity</source>
        <translation>Last activity</translation>
    </message>
    <message>
        <source>Rooms</source>
        <translation>Rooms</translation>
    </message>
    <message>
        <source>Msgs in</source>
        <translation>Msgs in</translation>
    </message>
    <message>
        <source>Msgs out</source>
        <translation>Msgs out</translation>
    </message>
    <message>
        <source>Pending</source>
        <translation>Pending</translation>
    </message>
    <message>
        <source>Protocol</source>
        <translation>Protocol</translation>
    </message>
    <message>
        <source>Transport</source>
        <translation>Transport</translation>
    </message>
    <message>
        <source>native</source>
        <translation>native</translation>
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
        <translation>polling</translation>
    </message>
</context>
<context>
    <name>Switchboard::Emitter</name>
    <message>
        <source>No server</source>
        <translation>No server</translation>
    </message>
    <message>
        <source>Enter an event name</source>
        <translation>Enter an event name</translation>
    </message>
    <message>
        <source>Payload is not valid JSON (line %1, column %2): %3</source>
        <translation>Payload is not valid JSON (line %1, column %2): %3</translation>
    </message>
    <message>
        <source>Enter a connection id (a number)</source>
        <translation>Enter a connection id (a number)</translation>
    </message>
    <message>
        <source>Unknown target</source>
        <translation>Unknown target</translation>
    </message>
    <message>
        <source>Enter a target</source>
        <translation>Enter a target</translation>
    </message>
</context>
<context>
    <name>Switchboard::EventsModel</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>Cannot write %1: %2</translation>
    </message>
</context>
<context>
    <name>Switchboard::JsonCheck</name>
    <message>
        <source>an object is not closed: a &apos;}&apos; or &apos;,&apos; is missing</source>
        <translation>an object is not closed: a &apos;}&apos; or &apos;,&apos; is missing</translation>
    </message>
    <message>
        <source>a &apos;:&apos; is missing after a key</source>
        <translation>a &apos;:&apos; is missing after a key</translation>
    </message>
    <message>
        <source>an array is not closed: a &apos;]&apos; or &apos;,&apos; is missing</source>
        <translation>an array is not closed: a &apos;]&apos; or &apos;,&apos; is missing</translation>
    </message>
    <message>
        <source>a &apos;,&apos; is missing between values</source>
        <translation>a &apos;,&apos; is missing between values</translation>
    </message>
    <message>
        <source>this is not a JSON value (strings need double quotes)</source>
        <translation>this is not a JSON value (strings need double quotes)</translation>
    </message>
    <message>
        <source>the text ends inside a number</source>
        <translation>the text ends inside a number</translation>
    </message>
    <message>
        <source>this number is not valid JSON</source>
        <translation>this number is not valid JSON</translation>
    </message>
    <message>
        <source>invalid escape sequence in a string</source>
        <translation>invalid escape sequence in a string</translation>
    </message>
    <message>
        <source>invalid UTF-8 in a string</source>
        <translation>invalid UTF-8 in a string</translation>
    </message>
    <message>
        <source>a string is not closed: a &apos;&quot;&apos; is missing</source>
        <translation>a string is not closed: a &apos;&quot;&apos; is missing</translation>
    </message>
    <message>
        <source>an object was expected</source>
        <translation>an object was expected</translation>
    </message>
    <message>
        <source>the document is nested too deeply</source>
        <translation>the document is nested too deeply</translation>
    </message>
    <message>
        <source>the document is too large</source>
        <translation>the document is too large</translation>
    </message>
    <message>
        <source>unexpected text after the value (only one value is allowed)</source>
        <translation>unexpected text after the value (only one value is allowed)</translation>
    </message>
    <message>
        <source>invalid JSON</source>
        <translation>invalid JSON</translation>
    </message>
    <message>
        <source>empty: enter a JSON value, e.g. {}</source>
        <translation>empty: enter a JSON value, e.g. {}</translation>
    </message>
    <message>
        <source>null</source>
        <translation>null</translation>
    </message>
    <message>
        <source>boolean</source>
        <translation>boolean</translation>
    </message>
    <message>
        <source>number</source>
        <translation>number</translation>
    </message>
    <message>
        <source>string</source>
        <translation>string</translation>
    </message>
    <message>
        <source>array</source>
        <translation>array</translation>
    </message>
    <message>
        <source>object</source>
        <translation>object</translation>
    </message>
    <message>
        <source>strings and keys need double quotes, not single quotes</source>
        <translation>strings and keys need double quotes, not single quotes</translation>
    </message>
    <message>
        <source>remove the comma before &apos;%1&apos;: JSON allows no trailing comma</source>
        <translation>remove the comma before &apos;%1&apos;: JSON allows no trailing comma</translation>
    </message>
    <message>
        <source>a value is missing after &apos;:&apos;</source>
        <translation>a value is missing after &apos;:&apos;</translation>
    </message>
</context>
<context>
    <name>Switchboard::LocalSource</name>
    <message>
        <source>The durable queue store is not available (is the server running?).</source>
        <translation>The durable queue store is not available (is the server running?).</translation>
    </message>
    <message>
        <source>The connection is gone.</source>
        <translation>The connection is gone.</translation>
    </message>
    <message>
        <source>Unknown action %1.</source>
        <translation>Unknown action %1.</translation>
    </message>
</context>
<context>
    <name>Switchboard::ProfilesModel</name>
    <message>
        <source>Profile %1 saved.</source>
        <translation>Profile %1 saved.</translation>
    </message>
    <message>
        <source>Profile %1 saved; its token is in the system keychain.</source>
        <translation>Profile %1 saved; its token is in the system keychain.</translation>
    </message>
    <message>
        <source>No keychain on this system: the token of %1 is saved in plain text in the console&apos;s settings file, as you asked.</source>
        <translation>No keychain on this system: the token of %1 is saved in plain text in the console&apos;s settings file, as you asked.</translation>
    </message>
    <message>
        <source>No keychain on this system: profile %1 is saved without its token; you will be asked for it when you connect.</source>
        <translation>No keychain on this system: profile %1 is saved without its token; you will be asked for it when you connect.</translation>
    </message>
    <message>
        <source>The keychain refused the token (%1); profile %2 is saved without it.</source>
        <translation>The keychain refused the token (%1); profile %2 is saved without it.</translation>
    </message>
    <message>
        <source>Profile %1 removed.</source>
        <translation>Profile %1 removed.</translation>
    </message>
    <message>
        <source>There is no profile named %1.</source>
        <translation>There is no profile named %1.</translation>
    </message>
    <message>
        <source>No saved token for %1: enter it to connect.</source>
        <translation>No saved token for %1: enter it to connect.</translation>
    </message>
    <message>
        <source>Enter the admin token.</source>
        <translation>Enter the admin token.</translation>
    </message>
    <message>
        <source>Connecting to %1…</source>
        <translation>Connecting to %1…</translation>
    </message>
</context>
<context>
    <name>Switchboard::QueueActions</name>
    <message>
        <source>Enter a queue name.</source>
        <translation>Enter a queue name.</translation>
    </message>
    <message>
        <source>Queue names are 1–128 characters from A–Z, a–z, 0–9 and _ . : -</source>
        <translation>Queue names are 1–128 characters from A–Z, a–z, 0–9 and _ . : -</translation>
    </message>
    <message>
        <source>The durable queue store is not available (is the server running?).</source>
        <translation>The durable queue store is not available (is the server running?).</translation>
    </message>
    <message>
        <source>The payload is not valid JSON (line %1, column %2): %3</source>
        <translation>The payload is not valid JSON (line %1, column %2): %3</translation>
    </message>
    <message>
        <source>Choose a priority: high, normal or low.</source>
        <translation>Choose a priority: high, normal or low.</translation>
    </message>
    <message>
        <source>Max attempts must be a whole number from 1 to 1000.</source>
        <translation>Max attempts must be a whole number from 1 to 1000.</translation>
    </message>
    <message>
        <source>The delay must be from 0 to 30 days.</source>
        <translation>The delay must be from 0 to 30 days.</translation>
    </message>
    <message>
        <source>The payload is %1 bytes as JSON; the limit is %2.</source>
        <translation>The payload is %1 bytes as JSON; the limit is %2.</translation>
    </message>
    <message>
        <source>Not enqueued: %1</source>
        <translation>Not enqueued: %1</translation>
    </message>
    <message>
        <source>Message %1 enqueued to %2, delayed by %3 s.</source>
        <translation>Message %1 enqueued to %2, delayed by %3 s.</translation>
    </message>
    <message>
        <source>Message %1 enqueued to %2.</source>
        <translation>Message %1 enqueued to %2.</translation>
    </message>
    <message>
        <source>Choose a dead letter to retry.</source>
        <translation>Choose a dead letter to retry.</translation>
    </message>
    <message>
        <source>There is no queue named %1.</source>
        <translation>There is no queue named %1.</translation>
    </message>
    <message>
        <source>The store could not move the message; see the server log.</source>
        <translation>The store could not move the message; see the server log.</translation>
    </message>
    <message>
        <source>Message %1 is no longer in the dead letters of %2.</source>
        <translation>Message %1 is no longer in the dead letters of %2.</translation>
    </message>
    <message>
        <source>Message %1 is back in %2, ready for a consumer.</source>
        <translation>Message %1 is back in %2, ready for a consumer.</translation>
    </message>
    <message>
        <source>The store could not move the messages; see the server log.</source>
        <translation>The store could not move the messages; see the server log.</translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) of %1 moved back to ready.</source>
        <translation>
            <numerusform>%n dead letter of %1 moved back to ready.</numerusform>
            <numerusform>%n dead letters of %1 moved back to ready.</numerusform>
        </translation>
    </message>
    <message>
        <source>The store could not purge the dead letters; see the server log.</source>
        <translation>The store could not purge the dead letters; see the server log.</translation>
    </message>
    <message numerus="yes">
        <source>%n dead letter(s) of %1 purged.</source>
        <translation>
            <numerusform>%n dead letter of %1 purged.</numerusform>
            <numerusform>%n dead letters of %1 purged.</numerusform>
        </translation>
    </message>
    <message>
        <source>Your role may not do this (%1).</source>
        <translation>Your role may not do this (%1).</translation>
    </message>
    <message>
        <source>Refused (%1): %2</source>
        <translation>Refused (%1): %2</translation>
    </message>
    <message>
        <source>Not connected to the node.</source>
        <translation>Not connected to the node.</translation>
    </message>
</context>
<context>
    <name>Switchboard::RemoteSource</name>
    <message>
        <source>%1 is not an http:// or https:// address.</source>
        <translation>%1 is not an http:// or https:// address.</translation>
    </message>
    <message>
        <source>The connection to the node was lost.</source>
        <translation>The connection to the node was lost.</translation>
    </message>
    <message>
        <source>The node refused the admin token.</source>
        <translation>The node refused the admin token.</translation>
    </message>
    <message>
        <source>Disconnected.</source>
        <translation>Disconnected.</translation>
    </message>
    <message>
        <source>The connection was closed (code %1).</source>
        <translation>The connection was closed (code %1).</translation>
    </message>
    <message>
        <source>on %1</source>
        <translation>on %1</translation>
    </message>
    <message>
        <source>Not connected to the node.</source>
        <translation>Not connected to the node.</translation>
    </message>
    <message>
        <source>superseded</source>
        <translation>superseded</translation>
    </message>
    <message>
        <source>This profile is read-only.</source>
        <translation>This profile is read-only.</translation>
    </message>
    <message>
        <source>Your role (%1) may not do this; it needs %2.</source>
        <translation>Your role (%1) may not do this; it needs %2.</translation>
    </message>
    <message>
        <source>Too many actions waiting for the node.</source>
        <translation>Too many actions waiting for the node.</translation>
    </message>
</context>
<context>
    <name>Switchboard::ServerStatus</name>
    <message>
        <source>This connection profile is read-only.</source>
        <translation>This connection profile is read-only.</translation>
    </message>
    <message>
        <source>Not connected to the node yet.</source>
        <translation>Not connected to the node yet.</translation>
    </message>
    <message>
        <source>Needs the %1 role; you are %2.</source>
        <translation>Needs the %1 role; you are %2.</translation>
    </message>
    <message>
        <source>not signed in</source>
        <translation>not signed in</translation>
    </message>
</context>
</TS>

#pragma once

namespace Switchboard {

class Server;

/**
 * @brief A reload (SIGHUP, docs/operations.md#reload) changed the limits: every open client
 * connection takes them on its own I/O thread (Connection::applyLimits), ordered with what
 * that thread does next. Connections opened from now on read them when they are admitted.
 * Returns how many connections were told (any thread).
 */
int applyLimitsToOpenConnections(Server &server);

} // namespace Switchboard

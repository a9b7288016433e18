#pragma once

#include <functional>

#include "emit.h"

namespace Switchboard {

class Server;

/**
 * @brief What a persisted emit does when the shared offline store cannot keep it
 * (docs/cluster.md, "Offline events").
 *
 * A persisted emit to a user with no socket on the emitting node is stored in Redis and not
 * published (a socket of the user on another node takes it from the store). When the store
 * refuses it or does not answer, nothing else would carry it: the callback made here then
 * emits it again as a live event, published to the cluster and recorded for recovery, so a
 * socket of the user on another node still gets it; and the emitter's own @p done learns that
 * it was not persisted, and whether it was published instead.
 */
namespace OfflineFallback {

/// Wraps the emitter's @p done (may be empty) for Server::persistForOffline(); @p request is
/// the emit as it was asked for. The wrapper runs on the offline store's thread.
std::function<void(const EmitResult &)> wrap(Server &server, const EmitRequest &request,
                                             std::function<void(const EmitResult &)> done);

} // namespace OfflineFallback

} // namespace Switchboard

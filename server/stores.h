#pragma once

#include <memory>

namespace Switchboard {

class EventStream;
class OfflineStore;
class QueueBackend;
class RedisEventStream;
class Server;
struct ServerConfig;

/**
 * @brief Which implementation of each durable store a node runs: the one every node shares
 * (Redis, with --redis; docs/cluster.md) or the node's own (SQLite in the data dir, or memory).
 * Server::start() asks here and otherwise only sees the interfaces.
 */
namespace Stores {

/// The offline events' store, opened: Redis with --redis, SQLite with a data dir (a store
/// that cannot open stays closed, logged), else a closed SQLite store.
std::unique_ptr<OfflineStore> offline(const ServerConfig &config);
/// The durable queues, not started yet: Redis with --redis, else SQLite in the data dir (in
/// memory without one). Jobs for local consumers go to Server::deliverJob().
std::unique_ptr<QueueBackend> queues(Server &server, const ServerConfig &config);
/// The cluster's recovery and resume stream, started; null without --redis (the node keeps
/// its own in-memory log then).
std::unique_ptr<RedisEventStream> sharedEvents(const ServerConfig &config);

} // namespace Stores
} // namespace Switchboard

#pragma once

#include <functional>

#include <QtCore/QJsonObject>
#include <QtCore/QString>

namespace Switchboard {

/// A presence question the HTTP API asks (docs/cluster.md, "Presence").
struct PresenceQuery
{
    enum class Kind { Users, UserStatus, Rooms, Room, Stats, Connections };
    Kind kind = Kind::Stats;
    QString arg;               // UserStatus: the user; Room: the room
    QString userFilter;        // Connections
    QString roomFilter;        // Connections
};

/**
 * @brief Presence for the HTTP API: connections, users and rooms, for one node or a cluster
 * (docs/cluster.md, "Presence"). A LocalBroker is its own single-node store; a RedisBroker
 * asks every node and merges their parts.
 */
class PresenceStore
{
public:
    virtual ~PresenceStore() = default;
    /// Answers @p query (on any thread, possibly before returning), merged as
    /// cluster/presence.h describes, with per-node figures in "nodes".
    virtual void query(const PresenceQuery &query, std::function<void(const QJsonObject &)> done) = 0;
};

} // namespace Switchboard

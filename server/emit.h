#pragma once

#include <functional>

#include <QtCore/QByteArray>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonValue>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Switchboard {

struct EmitResult;

/// What publishing an emit to the other nodes of a cluster gave (docs/cluster.md).
struct PublishOutcome
{
    bool published = false;    // Redis accepted the PUBLISH
    int nodes = 0;             // other subscribers that received it (Switchboard and Node servers)
    int switchboardNodes = 0;  // of those, live Switchboard nodes of the registry (they report acks)
    QString error;             // why it was not published
};

/// A server-originated event: who gets it and what it carries.
struct EmitRequest
{
    enum class Target { Broadcast, Room, User, Connection };
    Target target = Target::Broadcast;
    QString room;              // Target::Room
    QStringList moreRooms;     // Target::Room: further rooms (a socket in several gets it once)
    QString userId;            // Target::User
    quint64 connectionId = 0;  // Target::Connection
    QString event;
    QJsonValue payload;
    QJsonArray moreArgs;       // Socket.IO arguments after the first (from Node emitters)
    QString exceptUserId;      // skip this user's sockets
    quint64 exceptConnectionId = 0;
    QStringList exceptRooms;   // skip sockets in any of these rooms (adapter "except")
    bool ack = false;          // ask each client for {"type":"ack","id":...}
    /// An emit whose acks someone waits for (rooms/ackwaits.h): the sockets it is handed to
    /// are listed in EmitResult::targets, and other nodes report theirs to ackOrigin.
    bool ackTargets = false;
    bool persist = false;      // keep for an offline user (needs the durable store)
    QString id;                // generated when empty
    QString source = QStringLiteral("api"); // "api", "console", "client", "cluster"
    QString fromUserId;        // set for client-originated emits; sent as "fromUser"
    QString nsp = QStringLiteral("/"); // Socket.IO namespace; native clients are in "/"
    // Socket.IO binary attachments: sioPayload holds their placeholders, payload their base64.
    QList<QByteArray> attachments;
    QJsonValue sioPayload;
    /// Set when another node published this emit: it is delivered here and not published again.
    bool fromCluster = false;
    /// Cluster mode: the offset (stream id, rooms/eventstream.h) the emitting node recorded
    /// this emit under; 0 when it was not recorded.
    quint64 offset = 0;
    /// The node acks of this emit are reported to (cluster mode; empty: this one).
    QString ackOrigin;
    /// For a persisted emit (see EmitResult::persistPending): called on the offline store's
    /// thread with the final result once the event is committed, or could not be. Unset, the
    /// store is not waited for (a failure is logged).
    std::function<void(const EmitResult &)> whenPersisted;
    /// In cluster mode (see EmitResult::publishPending): called on the Redis thread once the
    /// emit was published to the other nodes, or could not be.
    std::function<void(const PublishOutcome &)> whenPublished;
};

struct EmitResult
{
    int delivered = 0;         // sockets of this node the event was handed to
    bool persisted = false;    // kept for an offline user (persist + user target + no socket)
    int offlineDropped = 0;    // persisted: the user's oldest stored events deleted to make room
    bool overloaded = false;   // refused: the I/O threads' backlog is over max-queued-emits
    bool invalid = false;      // refused: the request itself is wrong (e.g. unknown namespace)
    bool persistPending = false; // EmitRequest::whenPersisted will be called with the outcome
    bool publishPending = false; // EmitRequest::whenPublished will be called with the outcome
    QString id;
    /// With EmitRequest::ackTargets: the sockets of this node the event was handed to
    /// (connection id, user id), at most Registry::kMaxListedTargets; moreTargets counts the rest.
    QList<QPair<quint64, QString>> targets;
    int moreTargets = 0;
    QString error;             // empty on success
    /// With an error: "invalid_event" (name empty or over Protocol::kMaxEventNameBytes),
    /// "invalid_request", "overloaded" or "unavailable"; what clients are told.
    QString code;
};

} // namespace Switchboard

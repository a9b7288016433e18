#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>

#include "cluster/presence.h"

namespace Switchboard {

class Registry;

/**
 * @brief A page of connections or rooms for the admin channel's `connections` and `rooms`
 * streams (docs/admin-channel.md), for one node or the whole cluster: each node filters,
 * sorts and pages its own registry (localNodePage), the attached node merges the nodes'
 * answers (mergeNodePages). Rows are the streams' rows, each with its `node`.
 */
struct NodePageQuery
{
    static constexpr int kMaxConnectionsLimit = 200;
    static constexpr int kMaxRoomsLimit = 1000;
    /// Cluster-wide, each node sends its first offset + limit connections: at most this many.
    static constexpr int kMaxClusterWindow = 1000;
    /// Cluster-wide, each node sends all its matching rooms (for the sums): at most this many.
    static constexpr int kMaxClusterRooms = 10000;
    /// The most JSON one node's answer carries; rows past it are left out ("truncated").
    static constexpr qint64 kMaxAnswerBytes = 1 << 20;
    static constexpr int kMaxFilterChars = 256;

    bool rooms = false;        // the rooms stream (else connections)
    bool users = false;        // rooms stream, source "users"
    QString filter;
    QString sort = QStringLiteral("id"); // connections
    bool desc = false;
    int offset = 0;            // connections
    int limit = 50;
    QString node;              // "" or "*": every node; else one node's name
    /// Set by the asking node when several nodes answer: each sends the page's window (its
    /// first offset + limit connections, or every matching room) and the merge pages.
    bool window = false;

    bool everyNode() const { return node.isEmpty() || node == QLatin1String("*"); }
    /// Whether node @p name answers this query.
    bool asks(const QString &name) const { return everyNode() || node == name; }

    /// A subscribe's query for stream @p rooms/connections; the reason when it is not valid.
    static QString parse(const QJsonObject &query, bool rooms, bool clustered, NodePageQuery *out);
    QJsonObject toJson() const;
    /// What another node sent (checked again: a malformed one gives an empty page).
    static NodePageQuery fromJson(const QJsonObject &json);
};

/// Node @p nodeName's part: {"total", "rows", "keys" (connections: [sort value, id] per row),
/// "truncated"}: the page itself, or with query.window the window for merging.
QJsonObject localNodePage(const Registry &registry, const QString &nodeName, const NodePageQuery &query);

/// The page for @p query from the nodes' @p parts: {"total", "rows", "truncated"}.
QJsonObject mergeNodePages(const NodePageQuery &query, const QList<PresencePart> &parts);

} // namespace Switchboard

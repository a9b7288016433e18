#include "presence.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QMap>
#include <QtCore/QSet>

#include "server.h"

namespace Switchboard {

namespace {

using Kind = PresenceQuery::Kind;

QString kindName(Kind kind)
{
    switch (kind) {
    case Kind::Users: return QStringLiteral("users");
    case Kind::UserStatus: return QStringLiteral("userStatus");
    case Kind::Rooms: return QStringLiteral("rooms");
    case Kind::Room: return QStringLiteral("room");
    case Kind::Stats: return QStringLiteral("stats");
    case Kind::Connections: return QStringLiteral("connections");
    }
    return {};
}

QJsonObject countsJson(const QHash<QString, int> &counts)
{
    QJsonObject o;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

/// Sums {name: count} maps of every part's @p field.
QMap<QString, int> sumCounts(const QList<PresencePart> &parts, QLatin1String field)
{
    QMap<QString, int> sum;
    for (const PresencePart &p : parts) {
        const QJsonObject counts = p.part.value(field).toObject();
        for (auto it = counts.begin(); it != counts.end(); ++it)
            sum[it.key()] += it.value().toInt();
    }
    return sum;
}

/// 64 bits of a name, for distinct counts across nodes: a stats part carries these, not the
/// names (a user's id, a room a public answer does not list), 11 characters each.
QString shortHash(const QString &name)
{
    return QString::fromLatin1(QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Md5).left(8)
                                   .toBase64(QByteArray::OmitTrailingEquals));
}

} // namespace

QJsonObject connectionJson(const ConnectionSnapshot &c)
{
    return {{QStringLiteral("id"), QString::number(c.id)},
            {QStringLiteral("userId"), c.userId},
            {QStringLiteral("role"), c.role},
            {QStringLiteral("address"), c.address},
            {QStringLiteral("protocol"), c.protocol},
            {QStringLiteral("transport"), c.transport},
            {QStringLiteral("connectedAt"), QDateTime::fromMSecsSinceEpoch(c.connectedAtMs, Qt::UTC).toString(Qt::ISODateWithMs)},
            {QStringLiteral("lastActivity"), QDateTime::fromMSecsSinceEpoch(c.lastActivityMs, Qt::UTC).toString(Qt::ISODateWithMs)},
            {QStringLiteral("rooms"), QJsonArray::fromStringList(c.rooms)},
            {QStringLiteral("messagesIn"), qint64(c.messagesIn)},
            {QStringLiteral("messagesOut"), qint64(c.messagesOut)},
            {QStringLiteral("bytesIn"), qint64(c.bytesIn)},
            {QStringLiteral("bytesOut"), qint64(c.bytesOut)},
            {QStringLiteral("pendingBytes"), c.pendingBytes},
            {QStringLiteral("thread"), c.worker}};
}

QJsonObject presenceQueryJson(const PresenceQuery &q)
{
    return {{QStringLiteral("kind"), kindName(q.kind)},
            {QStringLiteral("arg"), q.arg},
            {QStringLiteral("user"), q.userFilter},
            {QStringLiteral("room"), q.roomFilter}};
}

PresenceQuery presenceQueryFrom(const QJsonObject &json)
{
    PresenceQuery q;
    const QString kind = json.value(QLatin1String("kind")).toString();
    for (Kind k : {Kind::Users, Kind::UserStatus, Kind::Rooms, Kind::Room, Kind::Stats, Kind::Connections}) {
        if (kindName(k) == kind)
            q.kind = k;
    }
    q.arg = json.value(QLatin1String("arg")).toString();
    q.userFilter = json.value(QLatin1String("user")).toString();
    q.roomFilter = json.value(QLatin1String("room")).toString();
    return q;
}

QJsonObject localPresence(const Server &server, const PresenceQuery &q)
{
    const Registry &registry = server.registry();
    switch (q.kind) {
    case Kind::Users:
        return {{QStringLiteral("users"), countsJson(registry.users())}};
    case Kind::UserStatus: {
        QJsonArray ids;
        for (quint64 id : registry.userConnections(q.arg))
            ids.append(QString::number(id));
        return {{QStringLiteral("connections"), ids}};
    }
    case Kind::Rooms:
        return {{QStringLiteral("rooms"), countsJson(registry.roomCounts())}};
    case Kind::Room: {
        QJsonArray members;
        for (quint64 id : registry.roomMembers(q.arg)) {
            if (const auto c = registry.snapshot(id))
                members.append(QJsonObject{{QStringLiteral("connectionId"), QString::number(c->id)},
                                           {QStringLiteral("userId"), c->userId},
                                           {QStringLiteral("address"), c->address}});
        }
        return {{QStringLiteral("members"), members}};
    }
    case Kind::Stats: {
        // Only what the merge needs: channelCounts is public and listed anyway; users and the
        // other rooms count towards distinct totals, so they travel as hashes.
        QJsonObject stats = server.statsJson();
        QJsonArray users;
        for (const QString &user : registry.users().keys())
            users.append(shortHash(user));
        const QJsonObject channels = stats.value(QLatin1String("channelCounts")).toObject();
        QJsonArray otherRooms;
        for (const QString &room : registry.roomCounts().keys()) {
            if (!channels.contains(room))
                otherRooms.append(shortHash(room));
        }
        stats.insert(QStringLiteral("userHashes"), users);
        stats.insert(QStringLiteral("otherRoomHashes"), otherRooms);
        return stats;
    }
    case Kind::Connections: {
        QJsonArray list;
        for (const ConnectionSnapshot &c : registry.connections()) {
            if ((!q.userFilter.isEmpty() && c.userId != q.userFilter) || (!q.roomFilter.isEmpty() && !c.rooms.contains(q.roomFilter)))
                continue;
            list.append(connectionJson(c));
        }
        return {{QStringLiteral("connections"), list}};
    }
    }
    return {};
}

QJsonObject mergePresence(const PresenceQuery &q, const QList<PresencePart> &parts_)
{
    // Two nodes may share a name (--node-name defaults to host:port, the same in every
    // container): per-node figures are keyed by the name, made unique with the node's id.
    QList<PresencePart> parts = parts_;
    QHash<QString, int> named;
    for (const PresencePart &p : parts)
        ++named[p.node];
    for (PresencePart &p : parts) {
        if (named.value(p.node) > 1 && !p.id.isEmpty())
            p.node += QStringLiteral(" (%1)").arg(p.id);
    }
    QJsonObject nodes;
    switch (q.kind) {
    case Kind::Users: {
        const QMap<QString, int> users = sumCounts(parts, QLatin1String("users"));
        QJsonArray list;
        for (auto it = users.cbegin(); it != users.cend(); ++it)
            list.append(QJsonObject{{QStringLiteral("userId"), it.key()}, {QStringLiteral("connections"), it.value()}});
        for (const PresencePart &p : parts) {
            const QJsonObject u = p.part.value(QLatin1String("users")).toObject();
            int connections = 0;
            for (const QJsonValue &v : u)
                connections += v.toInt();
            nodes.insert(p.node, QJsonObject{{QStringLiteral("users"), u.size()}, {QStringLiteral("connections"), connections}});
        }
        return {{QStringLiteral("count"), list.size()}, {QStringLiteral("users"), list}, {QStringLiteral("nodes"), nodes}};
    }
    case Kind::UserStatus: {
        QJsonArray all;
        for (const PresencePart &p : parts) {
            const QJsonArray ids = p.part.value(QLatin1String("connections")).toArray();
            for (const QJsonValue &id : ids)
                all.append(id);
            if (!ids.isEmpty())
                nodes.insert(p.node, ids);
        }
        return {{QStringLiteral("userId"), q.arg}, {QStringLiteral("online"), !all.isEmpty()},
                {QStringLiteral("connections"), all}, {QStringLiteral("nodes"), nodes}};
    }
    case Kind::Rooms: {
        const QMap<QString, int> rooms = sumCounts(parts, QLatin1String("rooms"));
        QJsonArray list;
        for (auto it = rooms.cbegin(); it != rooms.cend(); ++it)
            list.append(QJsonObject{{QStringLiteral("room"), it.key()}, {QStringLiteral("members"), it.value()}});
        for (const PresencePart &p : parts)
            nodes.insert(p.node, QJsonObject{{QStringLiteral("rooms"), p.part.value(QLatin1String("rooms")).toObject().size()}});
        return {{QStringLiteral("count"), list.size()}, {QStringLiteral("rooms"), list}, {QStringLiteral("nodes"), nodes}};
    }
    case Kind::Room: {
        QJsonArray members;
        for (const PresencePart &p : parts) {
            const QJsonArray m = p.part.value(QLatin1String("members")).toArray();
            for (const QJsonValue &v : m) {
                QJsonObject member = v.toObject();
                member.insert(QStringLiteral("node"), p.node);
                if (!p.id.isEmpty())
                    member.insert(QStringLiteral("nodeId"), p.id);
                members.append(member);
            }
            nodes.insert(p.node, m.size());
        }
        return {{QStringLiteral("room"), q.arg}, {QStringLiteral("count"), members.size()},
                {QStringLiteral("members"), members}, {QStringLiteral("nodes"), nodes}};
    }
    case Kind::Stats: {
        int connections = 0;
        QSet<QString> users;
        QSet<QString> otherRooms;
        QJsonObject rates;
        double in = 0, out = 0, bytesIn = 0, bytesOut = 0;
        for (const PresencePart &p : parts) {
            connections += p.part.value(QLatin1String("totalConnections")).toInt();
            for (const QJsonValue &u : p.part.value(QLatin1String("userHashes")).toArray())
                users.insert(u.toString());
            for (const QJsonValue &r : p.part.value(QLatin1String("otherRoomHashes")).toArray())
                otherRooms.insert(r.toString());
            // A node of an older version: names.
            for (const QJsonValue &u : p.part.value(QLatin1String("userIds")).toArray())
                users.insert(shortHash(u.toString()));
            const QJsonObject named = p.part.value(QLatin1String("roomCounts")).toObject();
            const QJsonObject channels = p.part.value(QLatin1String("channelCounts")).toObject();
            for (auto it = named.begin(); it != named.end(); ++it) {
                if (!channels.contains(it.key()))
                    otherRooms.insert(shortHash(it.key()));
            }
            const QJsonObject r = p.part.value(QLatin1String("rates")).toObject();
            in += r.value(QLatin1String("messagesInPerSec")).toDouble();
            out += r.value(QLatin1String("messagesOutPerSec")).toDouble();
            bytesIn += r.value(QLatin1String("bytesInPerSec")).toDouble();
            bytesOut += r.value(QLatin1String("bytesOutPerSec")).toDouble();
            nodes.insert(p.node, QJsonObject{{QStringLiteral("totalConnections"), p.part.value(QLatin1String("totalConnections"))},
                                             {QStringLiteral("totalUsers"), p.part.value(QLatin1String("totalUsers"))},
                                             {QStringLiteral("totalRooms"), p.part.value(QLatin1String("totalRooms"))},
                                             {QStringLiteral("rates"), r}});
        }
        // Public: channel counts leave out user rooms exactly as each node's own answer does.
        const QMap<QString, int> channels = sumCounts(parts, QLatin1String("channelCounts"));
        QJsonObject channelCounts;
        for (auto it = channels.cbegin(); it != channels.cend(); ++it)
            channelCounts.insert(it.key(), it.value());
        return {{QStringLiteral("totalConnections"), connections},
                {QStringLiteral("totalUsers"), int(users.size())},
                {QStringLiteral("totalRooms"), int(channels.size() + otherRooms.size())},
                {QStringLiteral("channelCounts"), channelCounts},
                {QStringLiteral("rates"), QJsonObject{{QStringLiteral("messagesInPerSec"), in},
                                                      {QStringLiteral("messagesOutPerSec"), out},
                                                      {QStringLiteral("bytesInPerSec"), bytesIn},
                                                      {QStringLiteral("bytesOutPerSec"), bytesOut}}},
                {QStringLiteral("timestamp"), QDateTime::currentMSecsSinceEpoch()},
                {QStringLiteral("nodes"), nodes}};
    }
    case Kind::Connections: {
        QJsonArray list;
        for (const PresencePart &p : parts) {
            const QJsonArray c = p.part.value(QLatin1String("connections")).toArray();
            for (const QJsonValue &v : c) {
                QJsonObject connection = v.toObject();
                connection.insert(QStringLiteral("node"), p.node);
                list.append(connection);
            }
            nodes.insert(p.node, c.size());
        }
        return {{QStringLiteral("count"), list.size()}, {QStringLiteral("connections"), list}, {QStringLiteral("nodes"), nodes}};
    }
    }
    return {};
}

} // namespace Switchboard

#pragma once

#include <optional>

#include <QtCore/QByteArray>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace Switchboard::Cluster {

/**
 * The wire format of @socket.io/redis-adapter 8.x and @socket.io/redis-emitter 5.x
 * (docs/cluster.md, "Wire format"). Values cross between msgpack and JSON: a msgpack bin
 * becomes a Socket.IO attachment placeholder {"_placeholder":true,"num":n} with its bytes
 * in the attachment list, and back.
 */

/// A Socket.IO packet (as the adapter carries it) plus its attachments.
struct Packet
{
    int type = 2;              // Socket.IO EVENT (BINARY_EVENT is 5)
    QString nsp = QStringLiteral("/");
    QJsonArray data;           // [event, ...args], attachments as placeholders
    QList<QByteArray> attachments;
    qint64 id = -1;            // ack id, when any
};

/// The adapter's broadcast: [uid, packet, {rooms, except, flags}].
struct Broadcast
{
    QString uid;
    Packet packet;
    QStringList rooms;
    QStringList except;
    QJsonObject flags;
    /// Switchboard's own fields ("sb": emit id, except connection, ack, origin node, source,
    /// from); ignored by Node servers, absent in messages from them.
    QJsonObject sb;
};

QByteArray encodeBroadcast(const Broadcast &broadcast);
std::optional<Broadcast> decodeBroadcast(const QByteArray &bytes, QString *error);

/// A request or response on the request/response channels: JSON when it starts with '{',
/// msgpack otherwise. Binary values come back as placeholders with their bytes in
/// @p attachments.
std::optional<QJsonObject> decodeObject(const QByteArray &bytes, QList<QByteArray> *attachments, QString *error);
/// msgpack of @p object, placeholders in it replaced by @p attachments.
QByteArray encodeMsgpack(const QJsonObject &object, const QList<QByteArray> &attachments = {});
/// Packet fields of a request object ({type, data, nsp, id}).
Packet packetFrom(const QJsonObject &packet, const QList<QByteArray> &attachments);
QJsonObject packetJson(const Packet &packet);

} // namespace Switchboard::Cluster

#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonArray>
#include <QtCore/QList>
#include <QtCore/QString>

/**
 * Wire formats of Engine.IO v4 and Socket.IO v5 (socket.io's docs/engine.io-protocol/v4 and
 * docs/socket.io-protocol/v5): pure functions, no I/O, so they are unit-tested on their own.
 */
namespace Switchboard::EngineIo {

enum PacketType : char {
    Open = '0',
    Close = '1',
    Ping = '2',
    Pong = '3',
    Message = '4',
    Upgrade = '5',
    Noop = '6',
};

/// One Engine.IO packet. A binary packet is a message whose data is raw bytes.
struct Packet
{
    char type = Message;
    QByteArray data;
    bool binary = false;
};

/// Splits an HTTP long-polling body (packets separated by 0x1e; "b" + base64 for binary).
/// False on any malformed packet.
bool decodePayload(const QByteArray &body, QList<Packet> *packets);
/// Joins packets for an HTTP long-polling response.
QByteArray encodePayload(const QList<Packet> &packets);
/// True for a known packet type character.
bool isPacketType(char c);

} // namespace Switchboard::EngineIo

namespace Switchboard::SocketIo {

enum PacketType : char {
    Connect = '0',
    Disconnect = '1',
    Event = '2',
    Ack = '3',
    ConnectError = '4',
    BinaryEvent = '5',
    BinaryAck = '6',
};

/// One decoded Socket.IO packet (without its binary attachments, which follow separately).
struct Packet
{
    char type = Event;
    QString nsp = QStringLiteral("/");
    qint64 ackId = -1;      // -1: none
    int attachments = 0;    // binary packets only
    QByteArray data;        // the JSON text after the header, possibly empty
};

/// Parses the text of an Engine.IO message as a Socket.IO packet. False when malformed
/// (unknown type, bad attachment count or ack id, data that is not JSON of the right kind).
/// connect, connect_error, disconnect, disconnecting, newListener, removeListener: a client
/// EVENT with one of these names is malformed, as socket.io-parser decides.
bool isReservedEvent(const QString &name);
bool decode(const QByteArray &text, Packet *packet, QString *error);
/// Encodes a packet header + @p data (JSON text, may be empty).
QByteArray encode(char type, const QString &nsp, qint64 ackId, const QByteArray &data, int attachments = 0);
/// The JSON text of an event array: [event, args...].
QByteArray eventArray(const QString &event, const QJsonArray &args);

/// Counts {"_placeholder":true,"num":n} objects in @p value and checks their numbers are 0..n-1.
int countPlaceholders(const QJsonValue &value);
/// Replaces placeholders with the base64 text of the attachment (for the native protocol).
QJsonValue inlineAttachments(const QJsonValue &value, const QList<QByteArray> &attachments);

} // namespace Switchboard::SocketIo

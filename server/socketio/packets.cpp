#include "packets.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include "protocol/strictjson.h"

namespace Switchboard::EngineIo {

bool isPacketType(char c)
{
    return c >= Open && c <= Noop;
}

bool decodePayload(const QByteArray &body, QList<Packet> *packets)
{
    if (body.isEmpty())
        return false;
    qsizetype start = 0;
    while (start <= body.size()) {
        qsizetype end = body.indexOf('\x1e', start);
        if (end < 0)
            end = body.size();
        const QByteArrayView part(body.constData() + start, end - start);
        if (part.isEmpty())
            return false;
        Packet packet;
        if (part.front() == 'b') {
            const auto decoded = QByteArray::fromBase64Encoding(part.sliced(1).toByteArray(),
                                                                QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return false;
            packet.binary = true;
            packet.data = *decoded;
        } else {
            if (!isPacketType(part.front()))
                return false;
            packet.type = part.front();
            packet.data = part.sliced(1).toByteArray();
        }
        packets->append(std::move(packet));
        start = end + 1;
    }
    return true;
}

QByteArray encodePayload(const QList<Packet> &packets)
{
    QByteArray out;
    for (const Packet &packet : packets) {
        if (!out.isEmpty())
            out += '\x1e';
        if (packet.binary) {
            out += 'b';
            out += packet.data.toBase64();
        } else {
            out += packet.type;
            out += packet.data;
        }
    }
    return out;
}

} // namespace Switchboard::EngineIo

namespace Switchboard::SocketIo {

bool isReservedEvent(const QString &name)
{
    // socket.io-parser's RESERVED_EVENTS: names with a meaning of their own on both sides.
    static const QStringList reserved{QStringLiteral("connect"), QStringLiteral("connect_error"),
                                      QStringLiteral("disconnect"), QStringLiteral("disconnecting"),
                                      QStringLiteral("newListener"), QStringLiteral("removeListener")};
    return reserved.contains(name);
}

bool decode(const QByteArray &text, Packet *packet, QString *error)
{
    auto fail = [error](const QString &why) {
        *error = why;
        return false;
    };
    if (text.isEmpty())
        return fail(QStringLiteral("empty packet"));
    const char type = text.at(0);
    if (type < Connect || type > BinaryAck)
        return fail(QStringLiteral("unknown packet type"));
    packet->type = type;
    qsizetype i = 1;
    if (type == BinaryEvent || type == BinaryAck) {
        const qsizetype dash = text.indexOf('-', i);
        if (dash <= i || dash - i > 6)
            return fail(QStringLiteral("malformed attachment count"));
        bool ok = false;
        packet->attachments = text.mid(i, dash - i).toInt(&ok);
        if (!ok || packet->attachments < 0)
            return fail(QStringLiteral("malformed attachment count"));
        i = dash + 1;
    }
    if (i < text.size() && text.at(i) == '/') {
        qsizetype comma = text.indexOf(',', i);
        if (comma < 0)
            comma = text.size(); // "40/custom": the comma is optional at the end
        packet->nsp = QString::fromUtf8(text.mid(i, comma - i));
        i = comma + 1;
    }
    const qsizetype digits = i;
    while (i < text.size() && text.at(i) >= '0' && text.at(i) <= '9')
        ++i;
    if (i > digits) {
        if (i - digits > 15)
            return fail(QStringLiteral("malformed ack id"));
        packet->ackId = text.mid(digits, i - digits).toLongLong();
    }
    packet->data = i < text.size() ? text.mid(i) : QByteArray();

    QString why;
    const bool hasData = !packet->data.isEmpty();
    const QJsonDocument doc = hasData ? Json::parse(packet->data, &why) : QJsonDocument();
    if (!why.isEmpty())
        return fail(why);
    switch (type) {
    case Connect:
        if (hasData && !doc.isObject())
            return fail(QStringLiteral("CONNECT payload must be an object"));
        break;
    case Disconnect:
        if (hasData)
            return fail(QStringLiteral("DISCONNECT carries no payload"));
        break;
    case Event:
    case BinaryEvent:
        if (!doc.isArray() || doc.array().isEmpty() || !doc.array().at(0).isString())
            return fail(QStringLiteral("EVENT payload must be an array starting with the event name"));
        if (isReservedEvent(doc.array().at(0).toString()))
            return fail(QStringLiteral("\"%1\" is a reserved event name").arg(doc.array().at(0).toString()));
        break;
    case Ack:
    case BinaryAck:
        if (packet->ackId < 0)
            return fail(QStringLiteral("ACK needs an id"));
        if (!doc.isArray())
            return fail(QStringLiteral("ACK payload must be an array"));
        break;
    case ConnectError:
        return fail(QStringLiteral("CONNECT_ERROR is sent by servers only"));
    }
    return true;
}

QByteArray encode(char type, const QString &nsp, qint64 ackId, const QByteArray &data, int attachments)
{
    QByteArray out;
    out.reserve(data.size() + 16 + nsp.size());
    out += type;
    if (type == BinaryEvent || type == BinaryAck) {
        out += QByteArray::number(attachments);
        out += '-';
    }
    if (nsp != QLatin1String("/")) {
        out += nsp.toUtf8();
        out += ',';
    }
    if (ackId >= 0)
        out += QByteArray::number(ackId);
    out += data;
    return out;
}

QByteArray eventArray(const QString &event, const QJsonArray &args)
{
    QJsonArray all{event};
    for (const QJsonValue &arg : args)
        all.append(arg);
    return QJsonDocument(all).toJson(QJsonDocument::Compact);
}

namespace {

bool isPlaceholder(const QJsonObject &o)
{
    return o.size() == 2 && o.value(QLatin1String("_placeholder")).toBool() && o.value(QLatin1String("num")).isDouble();
}

void collect(const QJsonValue &value, QList<int> *nums)
{
    if (value.isArray()) {
        for (const QJsonValue &v : value.toArray())
            collect(v, nums);
    } else if (value.isObject()) {
        const QJsonObject o = value.toObject();
        if (isPlaceholder(o)) {
            nums->append(o.value(QLatin1String("num")).toInt(-1));
            return;
        }
        for (auto it = o.begin(); it != o.end(); ++it)
            collect(it.value(), nums);
    }
}

} // namespace

int countPlaceholders(const QJsonValue &value)
{
    QList<int> nums;
    collect(value, &nums);
    std::sort(nums.begin(), nums.end());
    for (int i = 0; i < nums.size(); ++i) {
        if (nums.at(i) != i)
            return -1;
    }
    return int(nums.size());
}

QJsonValue inlineAttachments(const QJsonValue &value, const QList<QByteArray> &attachments)
{
    if (value.isArray()) {
        QJsonArray out;
        for (const QJsonValue &v : value.toArray())
            out.append(inlineAttachments(v, attachments));
        return out;
    }
    if (value.isObject()) {
        const QJsonObject o = value.toObject();
        if (isPlaceholder(o)) {
            const int num = o.value(QLatin1String("num")).toInt(-1);
            if (num >= 0 && num < attachments.size())
                return QString::fromLatin1(attachments.at(num).toBase64());
            return value;
        }
        QJsonObject out;
        for (auto it = o.begin(); it != o.end(); ++it)
            out.insert(it.key(), inlineAttachments(it.value(), attachments));
        return out;
    }
    return value;
}

} // namespace Switchboard::SocketIo

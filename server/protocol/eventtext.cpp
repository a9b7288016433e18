#include "eventtext.h"

#include <QtCore/QJsonDocument>

namespace Switchboard::Protocol {

namespace {

/// @p value as QJsonDocument writes it inside an array (any JSON type, scalars included).
void appendValue(QByteArray &out, const QJsonValue &value)
{
    const QByteArray array = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    out.append(array.constData() + 1, array.size() - 2); // without the brackets
}

} // namespace

void appendJsonString(QByteArray &out, const QString &text)
{
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (u < 0x20 || u > 0x7E || u == u'"' || u == u'\\') {
            appendValue(out, text); // Qt's own escaping for anything else
            return;
        }
    }
    out += '"';
    for (const QChar c : text)
        out += char(c.unicode());
    out += '"';
}

QJsonObject eventObject(const EventFields &event)
{
    QJsonObject message{{QStringLiteral("type"), event.type},
                        {QStringLiteral("data"), event.data.isUndefined() ? QJsonValue() : event.data},
                        {QStringLiteral("id"), event.id},
                        {QStringLiteral("timestamp"), event.timestamp}};
    if (event.hasRoom)
        message.insert(QStringLiteral("room"), event.room);
    if (!event.from.isEmpty())
        message.insert(QStringLiteral("from"), event.from);
    if (event.ack)
        message.insert(QStringLiteral("ack"), true);
    if (!event.args.isEmpty())
        message.insert(QStringLiteral("args"), event.args);
    return message;
}

QString encodeEvent(const EventFields &event)
{
    // QJsonObject keeps its keys sorted: ack, args, data, from, id, room, timestamp, type.
    QByteArray out;
    out.reserve(96 + event.type.size() + event.id.size() + event.room.size() + event.from.size());
    out += '{';
    if (event.ack)
        out += "\"ack\":true,";
    if (!event.args.isEmpty()) {
        out += "\"args\":";
        out += QJsonDocument(event.args).toJson(QJsonDocument::Compact);
        out += ',';
    }
    out += "\"data\":";
    if (event.data.isUndefined() || event.data.isNull())
        out += "null";
    else if (event.data.isObject())
        out += QJsonDocument(event.data.toObject()).toJson(QJsonDocument::Compact);
    else if (event.data.isArray())
        out += QJsonDocument(event.data.toArray()).toJson(QJsonDocument::Compact);
    else
        appendValue(out, event.data);
    if (!event.from.isEmpty()) {
        out += ",\"from\":";
        appendJsonString(out, event.from);
    }
    out += ",\"id\":";
    appendJsonString(out, event.id);
    if (event.hasRoom) {
        out += ",\"room\":";
        appendJsonString(out, event.room);
    }
    out += ",\"timestamp\":";
    out += QByteArray::number(event.timestamp);
    out += ",\"type\":";
    appendJsonString(out, event.type);
    out += '}';
    return QString::fromUtf8(out);
}

} // namespace Switchboard::Protocol

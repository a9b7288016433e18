#include "eventjson.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace Switchboard::Protocol {

namespace {

/// Whether JSON writes @p text as it is (printable ASCII, no quote or backslash).
bool plain(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || c.unicode() > 0x7e || c == QLatin1Char('"') || c == QLatin1Char('\\'))
            return false;
    }
    return true;
}

} // namespace

std::optional<QString> encodeEvent(const QString &type, const QJsonValue &data, const QString &id,
                                   const QString *room, qint64 timestamp)
{
    if (!plain(type) || !plain(id) || (room && !plain(*room)))
        return std::nullopt;
    QByteArray payload;
    if (data.isObject())
        payload = QJsonDocument(data.toObject()).toJson(QJsonDocument::Compact);
    else if (data.isArray())
        payload = QJsonDocument(data.toArray()).toJson(QJsonDocument::Compact);
    else if (data.isUndefined() || data.isNull())
        payload = QByteArrayLiteral("null");
    else
        return std::nullopt;
    QByteArray out;
    out.reserve(payload.size() + type.size() + id.size() + (room ? room->size() : 0) + 64);
    out += "{\"data\":";
    out += payload;
    out += ",\"id\":\"";
    out += id.toLatin1();
    if (room) {
        out += "\",\"room\":\"";
        out += room->toLatin1();
    }
    out += "\",\"timestamp\":";
    out += QByteArray::number(timestamp);
    out += ",\"type\":\"";
    out += type.toLatin1();
    out += "\"}";
    return QString::fromUtf8(out); // the payload may hold UTF-8
}

} // namespace Switchboard::Protocol

#include "queuejson.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

namespace Switchboard {

QJsonObject queueMessageJson(const QueueMessage &m)
{
    QJsonParseError pe;
    // Payloads are stored as JSON text; scalars were stored bare, so wrap to parse.
    const QJsonDocument doc = QJsonDocument::fromJson("[" + m.payload + "]", &pe);
    auto iso = [](qint64 ms) { return ms ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs) : QString(); };
    return {{QStringLiteral("id"), QString::number(m.id)},
            {QStringLiteral("queue"), m.queue},
            {QStringLiteral("payload"), doc.array().at(0)},
            {QStringLiteral("priority"), priorityName(m.priority)},
            {QStringLiteral("attempts"), m.attempts},
            {QStringLiteral("maxAttempts"), m.maxAttempts},
            {QStringLiteral("lastError"), m.lastError},
            {QStringLiteral("createdAt"), iso(m.createdAtMs)},
            {QStringLiteral("deadAt"), iso(m.deadAtMs)}};
}

QByteArray storedPayload(const QJsonValue &value)
{
    if (value.isObject())
        return QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact);
    if (value.isArray())
        return QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact);
    const QByteArray wrapped = QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
    return wrapped.mid(1, wrapped.size() - 2);
}

} // namespace Switchboard

#include "messages.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>

namespace Switchboard::Protocol {

QString checkEventName(const QString &name)
{
    if (name.isEmpty())
        return QStringLiteral("event name is required");
    // Each UTF-16 unit is at least one byte of UTF-8: a long name is refused unconverted.
    if (name.size() > kMaxEventNameBytes || name.toUtf8().size() > kMaxEventNameBytes)
        return QStringLiteral("event name is longer than %1 bytes (UTF-8)").arg(kMaxEventNameBytes);
    return {};
}

QString encode(const QJsonObject &message)
{
    return QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact));
}

QString error(const QString &code, const QString &message, const QJsonValue &id)
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("error")},
                  {QStringLiteral("code"), code},
                  {QStringLiteral("message"), message},
                  {QStringLiteral("timestamp"), QDateTime::currentMSecsSinceEpoch()}};
    if (!id.isUndefined() && !id.isNull())
        o.insert(QStringLiteral("id"), id);
    return encode(o);
}

} // namespace Switchboard::Protocol

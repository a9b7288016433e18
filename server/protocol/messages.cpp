#include "messages.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>

namespace Switchboard::Protocol {

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

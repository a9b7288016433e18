#include "jsonfields.h"

#include <QtCore/QJsonValue>

namespace Switchboard::JsonFields {

bool wholeNumber(const QJsonObject &object, const char *key, qint64 min, qint64 max, qint64 fallback, qint64 *out)
{
    const QJsonValue v = object.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull()) {
        *out = fallback;
        return true;
    }
    const double d = v.toDouble(-1e300);
    if (!v.isDouble() || d != double(qint64(d)) || d < double(min) || d > double(max))
        return false;
    *out = qint64(d);
    return true;
}

bool string(const QJsonObject &object, const char *key, int maxChars, QString *out)
{
    const QJsonValue v = object.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull()) {
        out->clear();
        return true;
    }
    if (!v.isString() || v.toString().size() > maxChars)
        return false;
    *out = v.toString();
    return true;
}

QString mustBe(const char *key, const QString &what)
{
    return QStringLiteral("\"%1\" must be %2").arg(QLatin1String(key), what);
}

} // namespace Switchboard::JsonFields

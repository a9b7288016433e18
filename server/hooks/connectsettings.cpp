#include "connectsettings.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QSet>

namespace Switchboard {

namespace {

// RFC 9110 token characters: what a header name may be made of.
bool isHeaderName(const QByteArray &name)
{
    if (name.isEmpty() || name.size() > ConnectHookSettings::kMaxHeaderNameBytes)
        return false;
    for (const char c : name) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && !QByteArrayView("!#$%&'*+-.^_`|~").contains(c))
            return false;
    }
    return true;
}

bool integer(const QJsonObject &o, const QString &key, int min, int max, int *out, QString *why)
{
    const QJsonValue v = o.value(key);
    if (v.isUndefined())
        return true;
    const double d = v.toDouble(-1);
    if (!v.isDouble() || d != double(qint64(d)) || d < min || d > max) {
        *why = QStringLiteral("%1: must be an integer from %2 to %3").arg(key).arg(min).arg(max);
        return false;
    }
    *out = int(d);
    return true;
}

} // namespace

bool ConnectHookSettings::parse(const QJsonValue &value, ConnectHookSettings *out, QString *why)
{
    if (!value.isObject()) {
        *why = QStringLiteral("must be an object: {\"url\": \"http://...\"}");
        return false;
    }
    const QJsonObject o = value.toObject();
    static const QSet<QString> fields{QStringLiteral("url"), QStringLiteral("timeoutMs"), QStringLiteral("retries"),
                                      QStringLiteral("headers")};
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (!fields.contains(it.key())) {
            *why = QStringLiteral("%1: unknown field").arg(it.key());
            return false;
        }
    }
    ConnectHookSettings s;
    const QJsonValue url = o.value(QStringLiteral("url"));
    s.url = QUrl(url.toString(), QUrl::StrictMode);
    const QString scheme = s.url.scheme();
    if (!url.isString() || !s.url.isValid() || s.url.host().isEmpty()
        || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))) {
        *why = QStringLiteral("url: required, an http:// or https:// URL with a host, e.g. \"http://127.0.0.1:4000/connect\"");
        return false;
    }
    if (!integer(o, QStringLiteral("timeoutMs"), 1, kMaxTimeoutMs, &s.timeoutMs, why)
        || !integer(o, QStringLiteral("retries"), 0, kMaxRetries, &s.retries, why))
        return false;
    const QJsonValue headers = o.value(QStringLiteral("headers"));
    if (!headers.isUndefined()) {
        const QJsonArray list = headers.toArray();
        if (!headers.isArray() || list.size() > kMaxHeaders) {
            *why = QStringLiteral("headers: must be an array of at most %1 header names").arg(kMaxHeaders);
            return false;
        }
        for (qsizetype i = 0; i < list.size(); ++i) {
            // Not Latin-1: toLatin1() makes it '?', which no header name may contain.
            const QByteArray name = list.at(i).toString().toLatin1().toLower();
            if (!list.at(i).isString() || !isHeaderName(name)) {
                *why = QStringLiteral("headers[%1]: must be a header name of 1-%2 characters (A-Z a-z 0-9 ! # $ % & ' * + - . ^ _ ` | ~)")
                           .arg(i).arg(kMaxHeaderNameBytes);
                return false;
            }
            if (s.headers.contains(name)) {
                *why = QStringLiteral("headers[%1]: \"%2\" is listed twice").arg(i).arg(QString::fromLatin1(name));
                return false;
            }
            s.headers << name;
        }
    }
    *out = s;
    return true;
}

} // namespace Switchboard

#include "strictjson.h"

namespace Switchboard::Json {

qsizetype rawControlAt(const QByteArray &text)
{
    bool inString = false;
    bool escaped = false;
    const char *data = text.constData();
    for (qsizetype i = 0, n = text.size(); i < n; ++i) {
        const auto c = static_cast<unsigned char>(data[i]);
        if (c < 0x20) {
            if (inString || (c != '\t' && c != '\n' && c != '\r'))
                return i;
            continue;
        }
        if (!inString) {
            inString = c == '"';
        } else if (escaped) {
            escaped = false;
        } else if (c == '\\') {
            escaped = true;
        } else if (c == '"') {
            inString = false;
        }
    }
    return -1;
}

QJsonDocument parse(const QByteArray &text, QString *error)
{
    if (const qsizetype at = rawControlAt(text); at >= 0) {
        *error = QStringLiteral("malformed JSON at offset %1: raw control character 0x%2 (escape it as \\u00%2)")
                     .arg(at)
                     .arg(int(static_cast<unsigned char>(text.at(at))), 2, 16, QLatin1Char('0'));
        return {};
    }
    QJsonParseError pe;
    QJsonDocument doc = QJsonDocument::fromJson(text, &pe);
    if (pe.error != QJsonParseError::NoError) {
        *error = QStringLiteral("malformed JSON at offset %1: %2").arg(pe.offset).arg(pe.errorString());
        return {};
    }
    error->clear();
    return doc;
}

qint64 toInt64(double value, qint64 fallback)
{
    // 2^63 is exact as a double; every double below it and at least -2^63 fits.
    if (!(value >= -9223372036854775808.0 && value < 9223372036854775808.0))
        return fallback; // also NaN
    return qint64(value);
}

QString idText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(toInt64(value.toDouble()));
    return QString();
}

} // namespace Switchboard::Json

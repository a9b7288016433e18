#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonValue>
#include <QtCore/QString>

namespace Switchboard::Json {

/**
 * @brief Where @p text has a control character (U+0000–U+001F) that RFC 8259 forbids: any of
 * them inside a string (they must be escaped there), any but tab, line feed and carriage
 * return outside one; -1 when there is none. QJsonDocument 6.4 accepts them raw.
 */
qsizetype rawControlAt(const QByteArray &text);

/**
 * @brief Parses @p text as strict RFC 8259 JSON: QJsonDocument::fromJson (nesting at most
 * 1024 levels deep, Qt's limit) after rawControlAt(). On failure returns a null document and
 * sets @p error to "malformed JSON at offset N: why"; on success clears it.
 */
QJsonDocument parse(const QByteArray &text, QString *error);

/**
 * @brief A JSON number (a double) as a 64-bit integer, without the undefined behaviour of a
 * plain cast: @p fallback when it is not finite or outside the range of qint64. Fractions are
 * cut toward zero.
 */
qint64 toInt64(double value, qint64 fallback = 0);

/// An id written as a JSON string or number ("42" or 42) as text; empty for anything else.
QString idText(const QJsonValue &value);

} // namespace Switchboard::Json

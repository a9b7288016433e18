#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QString>

namespace Switchboard::JsonFields {

/// A whole number from @p object's @p key in [min, max] (@p fallback when absent or null);
/// false when it is something else.
bool wholeNumber(const QJsonObject &object, const char *key, qint64 min, qint64 max, qint64 fallback, qint64 *out);
/// A string of at most @p maxChars from @p object's @p key (empty when absent or null); false
/// when it is something else.
bool string(const QJsonObject &object, const char *key, int maxChars, QString *out);
/// The error for a field that is not what it must be: "\"key\" must be <what>".
QString mustBe(const char *key, const QString &what);

} // namespace Switchboard::JsonFields

#pragma once

#include <optional>

#include <QtCore/QJsonValue>
#include <QtCore/QString>

namespace Switchboard::Protocol {

/**
 * @brief The native protocol's event message of an emit, written without building a
 * QJsonObject for it: {"data":…,"id":…,"room":…,"timestamp":…,"type":…}, the same bytes
 * QJsonDocument writes for that object (its keys sorted).
 *
 * Only for the common shape: @p data an object, an array or absent (written as null), and
 * @p type, @p id and @p room (omitted when null) printable ASCII without a quote or a
 * backslash. Anything else is std::nullopt, and the caller builds the QJsonObject; so is an
 * emit with "from", "ack" or "args", which this does not write.
 */
std::optional<QString> encodeEvent(const QString &type, const QJsonValue &data, const QString &id,
                                   const QString *room, qint64 timestamp);

} // namespace Switchboard::Protocol

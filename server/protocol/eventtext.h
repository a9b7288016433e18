#pragma once

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonValue>
#include <QtCore/QString>

namespace Switchboard::Protocol {

/**
 * @brief The fields of a native event frame ({"type":event,"data":…,"id":…,"timestamp":…} and
 * the optional "room", "from", "ack" and "args"; docs/protocol.md "Server → client").
 */
struct EventFields
{
    QString type;
    QJsonValue data;       // undefined is written as null
    QString id;
    qint64 timestamp = 0;
    QString room;          // written when hasRoom
    bool hasRoom = false;
    QString from;          // written when not empty
    bool ack = false;      // "ack":true when set
    QJsonArray args;       // written when not empty
};

/// Appends @p text as a JSON string, the bytes QJsonDocument writes for it (printable ASCII
/// copied as it is, anything else escaped by Qt).
void appendJsonString(QByteArray &out, const QString &text);

/// The frame as a QJsonObject (for what stores or edits it further).
QJsonObject eventObject(const EventFields &event);

/// The frame's text, byte for byte what encode(eventObject(event)) gives (keys in QJsonObject's
/// sorted order, Qt's escaping), without building the QJsonObject: only "data" and "args" go
/// through QJsonDocument, and strings of plain printable ASCII are copied as they are. Building
/// and serialising the whole object was most of a publish's cost (issue 19: 52,000 of 94,000
/// instructions).
QString encodeEvent(const EventFields &event);

} // namespace Switchboard::Protocol

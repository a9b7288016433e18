// libFuzzer target: Socket.IO packets (type, attachment count, namespace, ack id, JSON data),
// and for binary packets the placeholders filled with attachments as the native bridge does.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include "socketio/packets.h"

using namespace Switchboard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    SocketIo::Packet packet;
    QString error;
    if (!SocketIo::decode(text, &packet, &error))
        return 0;
    if (packet.data.isEmpty())
        return 0;
    const QJsonDocument document = QJsonDocument::fromJson(packet.data);
    const QJsonValue value = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    const int placeholders = SocketIo::countPlaceholders(value);
    if (packet.attachments > 0 && placeholders == packet.attachments) {
        QList<QByteArray> attachments;
        for (int i = 0; i < packet.attachments; ++i)
            attachments.append(QByteArray(i % 7, char(i)));
        SocketIo::inlineAttachments(value, attachments);
    }
    // A decoded packet encodes to something that decodes again.
    SocketIo::Packet again;
    if (!SocketIo::decode(SocketIo::encode(packet.type, packet.nsp, packet.ackId, packet.data, packet.attachments), &again, &error))
        __builtin_trap();
    return 0;
}

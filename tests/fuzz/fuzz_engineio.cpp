// libFuzzer target: Engine.IO long-polling payloads (packets split by 0x1e, "b" + base64 for
// binary) and, for each message, the Socket.IO packet inside it.
#include "socketio/packets.h"

using namespace Switchboard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    QList<EngineIo::Packet> packets;
    if (!EngineIo::decodePayload(body, &packets))
        return 0;
    // What decoded encodes and decodes to the same packets.
    QList<EngineIo::Packet> again;
    if (!EngineIo::decodePayload(EngineIo::encodePayload(packets), &again) || again.size() != packets.size())
        __builtin_trap();
    for (qsizetype i = 0; i < packets.size(); ++i) {
        if (again[i].type != packets[i].type || again[i].data != packets[i].data || again[i].binary != packets[i].binary)
            __builtin_trap();
        if (packets[i].type == EngineIo::Message && !packets[i].binary) {
            SocketIo::Packet packet;
            QString error;
            SocketIo::decode(packets[i].data, &packet, &error);
        }
    }
    return 0;
}

// libFuzzer target: the strict JSON parser every client message goes through (native
// messages, HTTP bodies, Socket.IO data) and the event-name check of native messages.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include "protocol/messages.h"
#include "protocol/strictjson.h"

using namespace Switchboard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    const QJsonDocument document = Json::parse(text, &error);
    if (document.isNull()) {
        if (error.isEmpty())
            __builtin_trap(); // refused without saying why
        return 0;
    }
    // Accepted JSON re-serialises to JSON that is accepted again.
    QString again;
    if (Json::parse(document.toJson(QJsonDocument::Compact), &again).isNull())
        __builtin_trap();
    if (document.isObject()) {
        const QJsonObject message = document.object();
        Protocol::checkEventName(message.value(QStringLiteral("type")).toString());
        Protocol::checkEventName(message.value(QStringLiteral("event")).toString());
    }
    return 0;
}

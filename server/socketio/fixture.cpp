#include "fixture.h"

#include <QtCore/QJsonObject>

namespace Switchboard {

void SioTestFixture::connected(SioConnection &socket, const QString &nsp, const QJsonObject &auth)
{
    socket.emitEvent(nsp, QStringLiteral("auth"), {auth});
}

bool SioTestFixture::event(SioConnection &socket, const QString &nsp, const QString &event, const QJsonArray &args,
                           const QList<QByteArray> &attachments, qint64 ackId)
{
    if (event == QLatin1String("message")) {
        socket.emitEvent(nsp, QStringLiteral("message-back"), args, attachments);
        return true;
    }
    if (event == QLatin1String("message-with-ack") && ackId >= 0) {
        socket.sendAck(nsp, ackId, args, attachments);
        return true;
    }
    return false;
}

bool EioEcho::onMessage(const QByteArray &data, bool binary)
{
    if (binary)
        m_session.sendBinary(data);
    else
        m_session.sendMessage(data);
    return true;
}

void EioEcho::onClose(const QString &reason, bool byClient)
{
    Q_UNUSED(reason);
    Q_UNUSED(byClient);
}

} // namespace Switchboard

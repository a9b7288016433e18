#pragma once

#include "eiosession.h"
#include "sioconnection.h"

namespace Switchboard {

/**
 * @brief The server the official Socket.IO v5 protocol suite expects (--socketio-test-fixture):
 * "auth" emitted back on connect, "message" echoed as "message-back", "message-with-ack"
 * answered with its own arguments. Plugged in through SioHooks; the protocol code has no
 * knowledge of it.
 */
class SioTestFixture final : public SioHooks
{
public:
    void connected(SioConnection &socket, const QString &nsp, const QJsonObject &auth) override;
    bool event(SioConnection &socket, const QString &nsp, const QString &event, const QJsonArray &args,
               const QList<QByteArray> &attachments, qint64 ackId) override;
};

/// The official Engine.IO v4 suite's server at /engine.io/: every message is sent back.
class EioEcho final : public EioHandler
{
public:
    explicit EioEcho(EioSession &session) : m_session(session) {}
    bool onMessage(const QByteArray &data, bool binary) override;
    void onClose(const QString &reason, bool byClient) override;

private:
    EioSession &m_session;
};

} // namespace Switchboard

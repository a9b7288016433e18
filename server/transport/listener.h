#pragma once

#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QTcpServer>

namespace Switchboard {

/**
 * @brief Opens a listening TCP socket with SO_REUSEPORT so every I/O thread can own one on
 * the same port; the kernel spreads new connections over them. Returns -1 with @p error.
 */
qintptr openReusePortListener(const QHostAddress &address, quint16 port, QString *error);
quint16 boundPort(qintptr fd);
void closeDescriptor(qintptr fd);

/**
 * @brief QTcpServer that sets TCP_NODELAY on every accepted socket and closes sockets that
 * send no complete request within the handshake timeout (checked by the owning worker's
 * sweep).
 */
class GuardedTcpServer final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuardedTcpServer)

public:
    explicit GuardedTcpServer(QObject *parent = nullptr) : QTcpServer(parent) {}

    /// Aborts sockets that have sent no complete request since accept for longer than @p timeoutMs.
    int closeSilent(qint64 nowMs, qint64 timeoutMs);
    /// A whole request arrived on @p socket: it is out of the handshake window.
    void requestReceived(QTcpSocket *socket);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    struct Pending { QPointer<QTcpSocket> socket; qint64 acceptedMs; };
    // Keyed by address for O(1) removal on every request; the QPointer tells a socket that
    // was deleted (and maybe replaced at the same address) from the one we recorded.
    QHash<QTcpSocket *, Pending> m_pending;
};

} // namespace Switchboard

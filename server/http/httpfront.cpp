#include "httpfront.h"

#include <QtCore/QLoggingCategory>
#include <QtHttpServer/QHttpServerResponder>

#include "core/logging.h"
#include "transport/ioworker.h"
#include "router.h"
#include "server.h"

namespace Switchboard {

HttpFront::HttpFront(const Router &router, Server &server, IoWorker &worker)
    : QAbstractHttpServer(&worker), m_router(router), m_server(server), m_worker(worker)
{
}

void HttpFront::respond(const QHttpServerRequest &request, QTcpSocket *socket, const HttpResponse &response)
{
    auto responder = makeResponder(request, socket);
    responder.write(response.body, response.contentType,
                    static_cast<QHttpServerResponder::StatusCode>(response.status));
}

bool HttpFront::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    m_server.metrics().httpRequests.fetch_add(1, std::memory_order_relaxed);
    Q_EMIT requestReceived(socket);
    switch (m_worker.handleEngineIoRequest(request, socket)) {
    case IoWorker::EngineIoRequest::NotEngineIo: break;
    case IoWorker::EngineIoRequest::Handled: return true;
    case IoWorker::EngineIoRequest::Upgrade: return true; // QAbstractHttpServer hands it to QtWebSockets
    case IoWorker::EngineIoRequest::RefusedUpgrade:
        m_refusedUpgrade = socket;
        return false;
    }
    if (request.url().path() == QLatin1String("/ws")) {
        // Returning true without writing lets QAbstractHttpServer complete the upgrade.
        if (headerValue(request, "upgrade").compare("websocket", Qt::CaseInsensitive) == 0) {
            m_worker.noteUpgrade(socket);
            return true;
        }
        respond(request, socket, HttpResponse::error(426, QStringLiteral("upgrade_required"),
                                                     QStringLiteral("/ws is a WebSocket endpoint; connect with a WebSocket client")));
        return true;
    }
    const HttpResponse response = m_router.dispatch(request, m_server);
    qCDebug(lcHttp) << request.method() << request.url().path() << response.status;
    respond(request, socket, response);
    return true;
}

void HttpFront::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (std::exchange(m_refusedUpgrade, nullptr) == socket)
        return;
    respond(request, socket, HttpResponse::error(404, QStringLiteral("not_found"),
                                                 QStringLiteral("no route for %1").arg(request.url().path())));
}

} // namespace Switchboard

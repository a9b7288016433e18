#include "httpfront.h"

#include <QtCore/QLoggingCategory>
#include <QtHttpServer/QHttpServerResponder>

#include "core/logging.h"
#include "router.h"
#include "server.h"

namespace Switchboard {

HttpFront::HttpFront(const Router &router, Server &server, QObject *parent)
    : QAbstractHttpServer(parent), m_router(router), m_server(server)
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
    if (request.url().path() == QLatin1String("/ws")) {
        // Returning true without writing lets QAbstractHttpServer complete the upgrade.
        if (headerValue(request, "upgrade").compare("websocket", Qt::CaseInsensitive) == 0)
            return true;
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
    respond(request, socket, HttpResponse::error(404, QStringLiteral("not_found"),
                                                 QStringLiteral("no route for %1").arg(request.url().path())));
}

} // namespace Switchboard

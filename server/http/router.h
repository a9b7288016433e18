#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include <QtCore/QByteArray>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QUrl>
#include <QtCore/QUrlQuery>
#include <QtHttpServer/QHttpServerRequest>
#include <QtNetwork/QHostAddress>

#include "admin/adminroles.h"

namespace Switchboard {

class HttpFront;
class Mailbox;
class Server;

struct HttpResponse
{
    int status = 200;
    QByteArray body;
    QByteArray contentType = QByteArrayLiteral("application/json");

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    /// {"error": message, "code": code}
    static HttpResponse error(int status, const QString &code, const QString &message);
    static HttpResponse text(const QByteArray &body, const QByteArray &contentType, int status = 200);
};

/**
 * @brief A request as the routes see it: method, target, headers, body and the peer, as
 * RequestParser read them. A copyable value: a deferred answer or a request pipelined behind
 * one outlives the parse.
 */
class RequestData
{
public:
    using Method = QHttpServerRequest::Method;
    RequestData() = default;
    RequestData(Method method, QUrl url, QList<QPair<QByteArray, QByteArray>> headers, QByteArray body,
                QHostAddress remoteAddress)
        : m_method(method), m_url(std::move(url)), m_path(m_url.path()), m_headers(std::move(headers)),
          m_body(std::move(body)), m_remoteAddress(std::move(remoteAddress))
    {
    }

    Method method() const { return m_method; }
    const QUrl &url() const { return m_url; }
    /// url().path(), decoded once: the front and the routes ask for it several times.
    const QString &path() const { return m_path; }
    QUrlQuery query() const { return QUrlQuery(m_url); }
    const QList<QPair<QByteArray, QByteArray>> &headers() const { return m_headers; }
    /// The first header named @p name, ignoring case.
    QByteArray value(const QByteArray &name) const
    {
        for (const auto &[key, value] : m_headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    const QByteArray &body() const { return m_body; }
    const QHostAddress &remoteAddress() const { return m_remoteAddress; }

private:
    Method m_method = Method::Unknown;
    QUrl m_url;
    QString m_path;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    QByteArray m_body;
    QHostAddress m_remoteAddress;
};

/// One request as a handler sees it: the request plus the path's <arg> values.
struct HttpRequest
{
    const RequestData &raw;
    QStringList params;

    /// Parses the body as a JSON object; on failure returns false with a 400 in @p error.
    bool jsonBody(QJsonObject *object, HttpResponse *error) const;
    QString query(const QString &name) const;
};

/**
 * @brief The answer to one HTTP request, given now or later, from any thread.
 *
 * A deferred handler keeps a copy and calls send() when its work is done, typically on the
 * queue or offline store's thread; the answer is written on the socket's I/O thread. The
 * first send() counts; an answer for a client that has gone is dropped.
 */
class Responder
{
public:
    Responder() = default;
    Responder(std::shared_ptr<Mailbox> mailbox, HttpFront *front, quint64 token)
        : m_mailbox(std::move(mailbox)), m_front(front), m_token(token)
    {
    }
    /// The acks of an emit, one by one as they come (rooms/ackwaits.h, AckWaits::Progress).
    using AckProgress = std::function<void(const QString &emitId, const QJsonObject &ack)>;

    /// A responder that hands the answer to @p sink (on the thread that answers) instead of
    /// an HTTP connection: the admin channel runs its actions through the routes with it.
    /// Only the first answer reaches the sink. @p progress: a route whose answer waits for
    /// acks hands them to it as they come (an HTTP client gets them only with the answer).
    static Responder toSink(std::function<void(const HttpResponse &)> sink, AckProgress progress = {});
    void send(const HttpResponse &response) const;
    /// The channel's ack progress (empty for an HTTP connection).
    AckProgress ackProgress() const { return m_progress ? *m_progress : AckProgress(); }
    /// A copy whose send() first passes the answer through @p filter (the admin routes'
    /// audit and typed result; http/admingate.h), on the thread that answers.
    Responder filtered(std::function<void(HttpResponse &)> filter) const;

private:
    void deliver(const HttpResponse &response) const;

    std::shared_ptr<Mailbox> m_mailbox;
    std::shared_ptr<const std::function<void(HttpResponse &)>> m_filter;
    std::shared_ptr<const std::function<void(const HttpResponse &)>> m_sink;
    std::shared_ptr<const AckProgress> m_progress;
    std::shared_ptr<std::atomic<bool>> m_answered; // with m_sink: whether the sink has had its answer
    HttpFront *m_front = nullptr;
    quint64 m_token = 0;
};

/**
 * @brief The HTTP routes and their access rules, in one place.
 *
 * Patterns are literal segments and "<arg>" placeholders ("/api/rooms/<arg>"). A path that
 * matches no pattern is a 404; one that matches with another method is a 405. Admin routes
 * are checked (http/admingate.h) against the caller's credential and the role their action
 * needs in AdminRoles' table before the handler runs; an admin route missing from that table
 * is refused to everyone.
 */
class Router final
{
public:
    enum class Access { Public, Admin };
    using Method = QHttpServerRequest::Method;
    using Handler = std::function<HttpResponse(const HttpRequest &)>;
    /// A handler whose work must not run on the I/O thread (SQLite, the queue thread): it
    /// hands the work on and answers through the Responder when it is done.
    using DeferredHandler = std::function<void(const HttpRequest &, const Responder &)>;

    /// The body a route takes unless limitBody() says otherwise.
    static constexpr qint64 kDefaultMaxBody = 64 * 1024;

    void add(Method method, const QString &pattern, Access access, Handler handler);
    void addDeferred(Method method, const QString &pattern, Access access, DeferredHandler handler);
    /// The most body bytes the route @p method @p pattern (registered already) reads; a longer
    /// body is refused with 413 before it is buffered.
    void limitBody(Method method, const QString &pattern, qint64 maxBody);
    /// What a request's head alone decides, before its body is read: an admin route's 401 or
    /// 403, or how much body its route takes (kDefaultMaxBody for a path with no route).
    std::optional<HttpResponse> checkHead(const RequestData &head, const Server &server, qint64 *maxBody) const;
    /// Answers @p request through @p responder: at once, or later for a deferred route.
    void dispatch(const RequestData &request, const Server &server, const Responder &responder) const;
    /// Every admin route as "METHOD /pattern", and those that AdminRoles' table lacks.
    QStringList adminRoutes() const;
    QStringList adminRoutesWithoutRole() const;

private:
    struct Route
    {
        Method method;
        QStringList segments;
        Access access;
        QString pattern;
        const AdminRoles::Action *action = nullptr; // Admin routes: from AdminRoles' table
        Handler handler;
        DeferredHandler deferred;
        qint64 maxBody = kDefaultMaxBody;
    };
    /// Whether @p route's pattern matches the path's @p segments (percent-encoded, as sent);
    /// the decoded <arg> values go to @p params.
    static bool match(const Route &route, const QStringView *segments, qsizetype count, QStringList *params);
    /// The route for @p request's method and path; @p pathKnown says whether any method has it.
    const Route *find(const RequestData &request, QStringList *params, bool *pathKnown) const;
    void append(Route route);
    static QString describe(const Route &route);

    QList<Route> m_routes;
};

/// The reason phrase of an HTTP status line ("Not Found" for 404).
QByteArray httpReasonPhrase(int status);

/// Registers every route of SPEC section 3 on @p router.
void registerApiRoutes(Router &router, Server &server);
/// The durable queue routes (SPEC sections 3 and 4); called by registerApiRoutes().
void registerQueueRoutes(Router &router, Server &server);
/// Admin tokens and audit (whoami, revoke, audit); called by registerApiRoutes().
void registerAdminRoutes(Router &router, Server &server);

} // namespace Switchboard

#pragma once

#include <functional>
#include <memory>
#include <optional>

#include <QtCore/QByteArray>
#include <QtNetwork/QHostAddress>

#include "router.h"

struct http_parser;
struct http_parser_settings;

namespace Switchboard {

/// The bounds every request head is held to before anything more is buffered
/// (docs/security.md lists them).
struct HttpLimits
{
    int maxRequestLine = 8 * 1024;  ///< the request target; over it → 414
    int maxHeaderBytes = 32 * 1024; ///< names and values of all fields together; over it → 431
    int maxHeaders = 100;           ///< header fields; over it → 431
};

/**
 * @brief HTTP/1.1 request parsing with limits, on Debian's http-parser 2.9.
 *
 * Bytes go in as they arrive (any split); complete requests come out one at a time: feed()
 * stops after each one, so a caller that must not serve the next request yet (an upgrade, a
 * deferred answer) leaves the rest unread. The request target, the header block and the body
 * are checked as they are parsed, so nothing over a limit is ever buffered: the head's check
 * (onHead) sees the method, target and headers before the first body byte and may refuse the
 * request, e.g. with a 401 or a 413 for a Content-Length over the route's limit; a chunked
 * body is refused as soon as it passes the limit.
 *
 * Framing that could be read two ways is refused with 400: an invalid, negative or
 * overflowing Content-Length, more than one Content-Length, Content-Length together with
 * Transfer-Encoding, a Transfer-Encoding other than chunked, an invalid chunk size. After an
 * error the parser takes nothing more; the connection must close.
 */
class RequestParser final
{
    Q_DISABLE_COPY_MOVE(RequestParser)

public:
    /// What the head's check decides: no answer = go on, reading at most maxBody bytes of body.
    struct HeadVerdict
    {
        std::optional<HttpResponse> refuse; ///< answer this and close, before any body
        qint64 maxBody = 0;                 ///< a longer body → 413
    };
    using HeadCheck = std::function<HeadVerdict(const RequestData &head)>;

    RequestParser(HttpLimits limits, HeadCheck onHead, QHostAddress peer = {});
    ~RequestParser();

    /// Parses up to @p size bytes and returns how many it took. It stops after a complete
    /// request (then hasRequest()), at an error (then failed()), or at the end of the data.
    qsizetype feed(const char *data, qsizetype size);

    bool hasRequest() const { return m_complete; }
    /// The complete request; the parser goes on with the next one.
    RequestData takeRequest();
    /// The request asked for a protocol upgrade (WebSocket): nothing after it is HTTP.
    bool upgrade() const { return m_upgrade; }
    /// The client wants the connection closed after this answer (Connection: close, HTTP/1.0).
    bool closeAfter() const { return m_closeAfter; }
    /// The head (before its body) asked for "Expect: 100-continue" and was not refused.
    bool wantsContinue() { return std::exchange(m_continue, false); }

    bool failed() const { return m_error.has_value(); }
    /// The head of the request being read (method, target, headers), once it was complete.
    const RequestData &head() const { return m_request; }
    /// The answer to a refused or malformed request (sent with Connection: close).
    const HttpResponse &error() const { return *m_error; }

private:
    static const http_parser_settings &settings();
    static int onMessageBegin(http_parser *p);
    static int onUrl(http_parser *p, const char *at, size_t length);
    static int onHeaderField(http_parser *p, const char *at, size_t length);
    static int onHeaderValue(http_parser *p, const char *at, size_t length);
    static int onHeadersComplete(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t length);
    static int onMessageComplete(http_parser *p);
    int fail(int status, const QString &code, const QString &message);
    bool addHeaderBytes(size_t length);

    HttpLimits m_limits;
    HeadCheck m_onHead;
    QHostAddress m_peer;
    std::unique_ptr<http_parser> m_parser;
    // The request being parsed.
    QByteArray m_target;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    bool m_inValue = false;
    qint64 m_headerBytes = 0;
    QByteArray m_body;
    qint64 m_maxBody = 0;
    RequestData m_request; // the last complete one
    bool m_complete = false;
    bool m_upgrade = false;
    bool m_closeAfter = false;
    bool m_continue = false;
    std::optional<HttpResponse> m_error;
};

} // namespace Switchboard

#include "requestparser.h"

#include <http_parser.h>

namespace Switchboard {

namespace {

RequestData::Method methodOf(unsigned method)
{
    using M = RequestData::Method;
    switch (method) {
    case HTTP_GET: return M::Get;
    case HTTP_POST: return M::Post;
    case HTTP_PUT: return M::Put;
    case HTTP_DELETE: return M::Delete;
    case HTTP_HEAD: return M::Head;
    case HTTP_OPTIONS: return M::Options;
    case HTTP_PATCH: return M::Patch;
    case HTTP_CONNECT: return M::Connect;
    case HTTP_TRACE: return M::Trace;
    default: return M::Unknown;
    }
}

} // namespace

RequestParser::RequestParser(HttpLimits limits, HeadCheck onHead, QHostAddress peer)
    : m_limits(limits), m_onHead(std::move(onHead)), m_peer(std::move(peer)), m_parser(std::make_unique<http_parser>())
{
    http_parser_init(m_parser.get(), HTTP_REQUEST);
    m_parser->data = this;
}

RequestParser::~RequestParser() = default;

qsizetype RequestParser::feed(const char *data, qsizetype size)
{
    if (m_error || m_complete || size <= 0)
        return 0;
    const size_t taken = http_parser_execute(m_parser.get(), &settings(), data, size_t(size));
    const auto err = HTTP_PARSER_ERRNO(m_parser.get());
    if (err == HPE_PAUSED) {
        // Paused after a complete request: the caller serves it before the next one is read.
        http_parser_pause(m_parser.get(), 0);
        return qsizetype(taken);
    }
    if (err != HPE_OK && !m_error) {
        // http-parser's own refusal: the framing is malformed or ambiguous.
        const QString message = QString::fromLatin1(http_errno_description(err));
        if (err == HPE_HEADER_OVERFLOW)
            fail(431, QStringLiteral("headers_too_large"), message);
        else
            fail(400, QStringLiteral("bad_request"), QStringLiteral("malformed HTTP request: %1").arg(message));
    }
    return qsizetype(taken);
}

RequestData RequestParser::takeRequest()
{
    m_complete = false;
    return std::exchange(m_request, RequestData());
}

int RequestParser::fail(int status, const QString &code, const QString &message)
{
    if (!m_error)
        m_error = HttpResponse::error(status, code, message);
    // Nothing of a refused request is kept.
    m_body = QByteArray();
    m_headers = {};
    m_target = QByteArray();
    return -1; // stops http_parser_execute
}

bool RequestParser::addHeaderBytes(size_t length)
{
    m_headerBytes += qint64(length);
    return m_headerBytes <= m_limits.maxHeaderBytes;
}

int RequestParser::onMessageBegin(http_parser *p)
{
    auto *self = static_cast<RequestParser *>(p->data);
    self->m_target.clear();
    self->m_headers.clear();
    self->m_inValue = false;
    self->m_headerBytes = 0;
    self->m_body.clear();
    self->m_maxBody = 0;
    return 0;
}

int RequestParser::onUrl(http_parser *p, const char *at, size_t length)
{
    auto *self = static_cast<RequestParser *>(p->data);
    if (self->m_target.size() + qsizetype(length) > self->m_limits.maxRequestLine) {
        return self->fail(414, QStringLiteral("uri_too_long"),
                          QStringLiteral("the request target is over %1 bytes").arg(self->m_limits.maxRequestLine));
    }
    self->m_target.append(at, qsizetype(length));
    return 0;
}

int RequestParser::onHeaderField(http_parser *p, const char *at, size_t length)
{
    auto *self = static_cast<RequestParser *>(p->data);
    if (!self->addHeaderBytes(length)) {
        return self->fail(431, QStringLiteral("headers_too_large"),
                          QStringLiteral("the header fields are over %1 bytes").arg(self->m_limits.maxHeaderBytes));
    }
    if (self->m_inValue || self->m_headers.isEmpty()) {
        // A new field (the callback may also come in pieces of one name).
        if (self->m_headers.size() >= self->m_limits.maxHeaders) {
            return self->fail(431, QStringLiteral("headers_too_large"),
                              QStringLiteral("more than %1 header fields").arg(self->m_limits.maxHeaders));
        }
        self->m_headers.append(QPair<QByteArray, QByteArray>());
        self->m_inValue = false;
    }
    self->m_headers.last().first.append(at, qsizetype(length));
    return 0;
}

int RequestParser::onHeaderValue(http_parser *p, const char *at, size_t length)
{
    auto *self = static_cast<RequestParser *>(p->data);
    if (!self->addHeaderBytes(length)) {
        return self->fail(431, QStringLiteral("headers_too_large"),
                          QStringLiteral("the header fields are over %1 bytes").arg(self->m_limits.maxHeaderBytes));
    }
    self->m_inValue = true;
    self->m_headers.last().second.append(at, qsizetype(length));
    return 0;
}

int RequestParser::onHeadersComplete(http_parser *p)
{
    auto *self = static_cast<RequestParser *>(p->data);
    // http-parser 2.9.4 refuses a second Content-Length and Content-Length with
    // Transfer-Encoding itself; checked here too so that no build of it lets them through.
    int contentLengths = 0;
    bool transferEncoding = false;
    for (const auto &[name, value] : std::as_const(self->m_headers)) {
        if (name.compare("content-length", Qt::CaseInsensitive) == 0)
            ++contentLengths;
        else if (name.compare("transfer-encoding", Qt::CaseInsensitive) == 0)
            transferEncoding = true;
    }
    if (contentLengths > 1)
        return self->fail(400, QStringLiteral("bad_request"), QStringLiteral("more than one Content-Length"));
    if (contentLengths == 1 && transferEncoding)
        return self->fail(400, QStringLiteral("bad_request"), QStringLiteral("Content-Length together with Transfer-Encoding"));
    if (transferEncoding && !(p->flags & F_CHUNKED))
        return self->fail(400, QStringLiteral("bad_request"), QStringLiteral("a request's Transfer-Encoding must end in chunked"));
    // "//host/path" is a path to RFC 9112, but QUrl reads host as an authority and the routes
    // would see "/path": a proxy's rule for "/path" would not match what is served. Refused.
    const QUrl url = QUrl::fromEncoded(self->m_target, QUrl::StrictMode);
    if (!url.isValid() || !self->m_target.startsWith('/') || self->m_target.startsWith("//")
        || !url.path().startsWith(QLatin1Char('/')))
        return self->fail(400, QStringLiteral("bad_request"), QStringLiteral("the request target must be an absolute path"));
    self->m_request = RequestData(methodOf(p->method), url, self->m_headers, {}, self->m_peer);
    self->m_upgrade = p->upgrade;
    const HeadVerdict verdict = self->m_onHead ? self->m_onHead(self->m_request) : HeadVerdict{};
    if (verdict.refuse) {
        self->m_error = *verdict.refuse;
        return self->fail(verdict.refuse->status, {}, {});
    }
    self->m_maxBody = verdict.maxBody;
    const bool declared = p->flags & F_CONTENTLENGTH;
    if (declared && p->content_length > quint64(self->m_maxBody)) {
        return self->fail(413, QStringLiteral("payload_too_large"),
                          QStringLiteral("a body of %1 bytes; this route takes at most %2").arg(p->content_length).arg(self->m_maxBody));
    }
    if (declared)
        self->m_body.reserve(qsizetype(p->content_length));
    self->m_continue = self->m_request.value("expect").compare("100-continue", Qt::CaseInsensitive) == 0;
    return 0;
}

int RequestParser::onBody(http_parser *p, const char *at, size_t length)
{
    auto *self = static_cast<RequestParser *>(p->data);
    if (self->m_body.size() + qint64(length) > self->m_maxBody) {
        return self->fail(413, QStringLiteral("payload_too_large"),
                          QStringLiteral("the body is over %1 bytes, this route's limit").arg(self->m_maxBody));
    }
    self->m_body.append(at, qsizetype(length));
    return 0;
}

int RequestParser::onMessageComplete(http_parser *p)
{
    auto *self = static_cast<RequestParser *>(p->data);
    self->m_request = RequestData(self->m_request.method(), self->m_request.url(), std::move(self->m_headers),
                                  std::move(self->m_body), self->m_peer);
    self->m_headers.clear();
    self->m_body.clear();
    self->m_complete = true;
    self->m_closeAfter = !http_should_keep_alive(p);
    self->m_upgrade = p->upgrade;
    // One request at a time: the caller serves this one before the next is parsed.
    if (!p->upgrade)
        http_parser_pause(p, 1);
    return 0;
}

const http_parser_settings &RequestParser::settings()
{
    static const http_parser_settings settings = [] {
        http_parser_settings s{};
        s.on_message_begin = &RequestParser::onMessageBegin;
        s.on_url = &RequestParser::onUrl;
        s.on_header_field = &RequestParser::onHeaderField;
        s.on_header_value = &RequestParser::onHeaderValue;
        s.on_headers_complete = &RequestParser::onHeadersComplete;
        s.on_body = &RequestParser::onBody;
        s.on_message_complete = &RequestParser::onMessageComplete;
        return s;
    }();
    return settings;
}

} // namespace Switchboard

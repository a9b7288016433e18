#include "handshake.h"

#include <QtCore/QByteArray>
#include <QtCore/QCryptographicHash>

namespace Switchboard::Bench {

namespace {

char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool containsTokenIgnoreCase(std::string_view list, std::string_view token)
{
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        if (equalsIgnoreCase(trim(list.substr(0, comma)), token))
            return true;
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

} // namespace

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i]))
            return false;
    }
    return true;
}

std::string makeWebSocketKey(const std::uint8_t nonce[16])
{
    return QByteArray(reinterpret_cast<const char *>(nonce), 16).toBase64().toStdString();
}

std::string webSocketAccept(std::string_view key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(QByteArrayView(key.data(), qsizetype(key.size())));
    sha1.addData(QByteArrayView("258EAFA5-E914-47DA-95CA-C5AB0DC85B11"));
    return sha1.result().toBase64().toStdString();
}

std::string upgradeRequest(std::string_view host, std::string_view target, std::string_view key,
                           std::string_view extraHeaders)
{
    std::string r;
    r.reserve(256 + target.size() + extraHeaders.size());
    r.append("GET ").append(target).append(" HTTP/1.1\r\nHost: ").append(host);
    r.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ").append(key);
    r.append("\r\nSec-WebSocket-Version: 13\r\n").append(extraHeaders).append("\r\n");
    return r;
}

std::string_view headerValue(std::string_view headers, std::string_view name)
{
    std::size_t pos = headers.find("\r\n"); // skip the status or request line
    while (pos != std::string_view::npos && pos + 2 < headers.size()) {
        const std::size_t start = pos + 2;
        const std::size_t end = headers.find("\r\n", start);
        const std::string_view line = headers.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        const std::size_t colon = line.find(':');
        if (colon != std::string_view::npos && equalsIgnoreCase(trim(line.substr(0, colon)), name))
            return trim(line.substr(colon + 1));
        pos = end;
    }
    return {};
}

UpgradeResponse parseUpgradeResponse(std::string_view data, std::string_view expectedAccept, std::size_t maxHeader)
{
    UpgradeResponse r;
    const std::size_t end = data.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (data.size() > maxHeader) {
            r.state = UpgradeResponse::State::Refused;
            r.error = "response header too long";
        }
        return r;
    }
    r.headerBytes = end + 4;
    const std::string_view head = data.substr(0, end + 2);
    r.state = UpgradeResponse::State::Refused;
    // "HTTP/1.1 101 Switching Protocols"
    if (head.size() < 12 || head.substr(0, 5) != "HTTP/") {
        r.error = "not an HTTP response";
        return r;
    }
    const std::size_t space = head.find(' ');
    if (space == std::string_view::npos || space + 4 > head.size()) {
        r.error = "no status code";
        return r;
    }
    for (std::size_t i = space + 1; i < space + 4; ++i) {
        if (head[i] < '0' || head[i] > '9') {
            r.error = "no status code";
            return r;
        }
        r.status = r.status * 10 + (head[i] - '0');
    }
    if (r.status != 101) {
        r.error = "status is not 101";
        return r;
    }
    if (!equalsIgnoreCase(headerValue(head, "Upgrade"), "websocket")) {
        r.error = "no Upgrade: websocket";
        return r;
    }
    if (!containsTokenIgnoreCase(headerValue(head, "Connection"), "upgrade")) {
        r.error = "no Connection: upgrade";
        return r;
    }
    if (headerValue(head, "Sec-WebSocket-Accept") != expectedAccept) {
        r.error = "wrong Sec-WebSocket-Accept";
        return r;
    }
    r.state = UpgradeResponse::State::Accepted;
    return r;
}

} // namespace Switchboard::Bench

#include "engine.h"

#include <cerrno>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "handshake.h"
#include "procstat.h"

namespace Switchboard::Bench {

namespace {

enum Kind : std::uint64_t { KindClient = 0, KindHttp = 1, KindWatch = 2 };

std::uint64_t tagOf(Kind kind, std::uint32_t index)
{
    return (std::uint64_t(kind) << 32) | index;
}

int makeSocket(const sockaddr_in &to, const in_addr *source)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (source) {
        // Let connect() pick the port per (source, destination) pair instead of bind()
        // reserving one per source: each source address then has the whole ephemeral range.
        ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr = *source;
        if (::bind(fd, reinterpret_cast<const sockaddr *>(&local), sizeof local) != 0) {
            ::close(fd);
            return -1;
        }
    }
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&to), sizeof to) != 0 && errno != EINPROGRESS) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool startsWith(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

/// The reason for a failed TLS call: OpenSSL's error queue (emptied, as the next call on this
/// thread needs), else what SSL_get_error() and errno say.
std::string tlsError(int error)
{
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char line[256];
        ERR_error_string_n(code, line, sizeof line);
        if (!text.empty())
            text += "; ";
        text += line;
    }
    if (!text.empty())
        return text;
    if (error == SSL_ERROR_SYSCALL)
        return errno ? std::strerror(errno) : "connection closed";
    return "SSL error " + std::to_string(error);
}

/// A client context for every connection of this process: TLS 1.2 or 1.3 with OpenSSL's
/// defaults (TLS 1.3 with AES-GCM against Switchboard). No session cache: each connection is a
/// full handshake, as every new browser is.
SSL_CTX *newTlsContext(const std::string &caFile, std::string *error)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        *error = "TLS: " + tlsError(SSL_ERROR_SSL);
        return nullptr;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    // The connection's out buffer is handed to SSL_write as it is: it may have grown (moved)
    // between a write that wanted to wait and its retry, and every record written counts.
    // Idle connections give their record buffers back (thousands of them in the idle scenario).
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    // A TCP end without close_notify is an end of stream like a plain one, not an error.
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    // Read whatever the socket holds, up to 64 KiB a recv(), not one record header at a time.
    SSL_CTX_set_read_ahead(ctx, 1);
    SSL_CTX_set_default_read_buffer_len(ctx, 64 * 1024);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    if (caFile.empty()) {
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    } else {
        if (SSL_CTX_load_verify_locations(ctx, caFile.c_str(), nullptr) != 1) {
            *error = "TLS: cannot load " + caFile + ": " + tlsError(SSL_ERROR_SSL);
            SSL_CTX_free(ctx);
            return nullptr;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    }
    return ctx;
}

/// JSON string contents for the names the load generator uses (no escaping needed).
void appendQuoted(std::string &out, std::string_view s)
{
    out += '"';
    out.append(s);
    out += '"';
}

} // namespace

struct Engine::HttpConnection
{
    int fd = -1;
    std::uint32_t index = 0;
    bool connecting = false;
    bool busy = false;
    std::string out;
    std::string in;
};

std::int64_t findTimestamp(std::string_view message)
{
    const std::size_t at = message.find("\"t\":");
    if (at == std::string_view::npos)
        return -1;
    std::int64_t value = 0;
    std::size_t i = at + 4;
    if (i >= message.size() || message[i] < '0' || message[i] > '9')
        return -1;
    for (; i < message.size() && message[i] >= '0' && message[i] <= '9'; ++i)
        value = value * 10 + (message[i] - '0');
    return value;
}

Engine::Engine(Endpoint endpoint, std::vector<in_addr> sources, Observer &observer)
    : m_endpoint(std::move(endpoint)), m_sources(std::move(sources)), m_observer(observer)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_readBuffer.resize(256 * 1024);
    m_random ^= std::uint64_t(::getpid()) << 17 ^ std::uint64_t(monotonicUs());
    if (m_endpoint.tls)
        m_tls = newTlsContext(m_endpoint.tlsCa, &m_lastError);
}

Engine::~Engine()
{
    for (auto &c : m_clients) {
        SSL_free(c->ssl);
        if (c->fd >= 0)
            ::close(c->fd);
    }
    for (auto &h : m_http) {
        if (h->fd >= 0)
            ::close(h->fd);
    }
    if (m_epoll >= 0)
        ::close(m_epoll);
    SSL_CTX_free(m_tls);
}

const std::uint8_t *Engine::nextMask()
{
    // xorshift64*: masks only need to be unpredictable to proxies, not cryptographically.
    m_random ^= m_random >> 12;
    m_random ^= m_random << 25;
    m_random ^= m_random >> 27;
    const std::uint64_t r = m_random * 0x2545F4914F6CDD1Dull;
    std::memcpy(m_mask, &r, 4);
    return m_mask;
}

Client &Engine::add(std::string token)
{
    auto c = std::make_unique<Client>();
    c->index = std::uint32_t(m_clients.size());
    c->token = std::move(token);
    m_clients.push_back(std::move(c));
    return *m_clients.back();
}

bool Engine::open(Client &c)
{
    const in_addr *source = m_sources.empty() ? nullptr : &m_sources[m_nextSource++ % m_sources.size()];
    c.startedUs = monotonicUs();
    if (m_endpoint.tls && !m_tls) { // the context could not be made; m_lastError says why
        c.state = Client::State::Closed;
        c.failed = true;
        m_observer.onClosed(c);
        return false;
    }
    c.fd = makeSocket(c.alt && m_endpoint.hasAlt ? m_endpoint.altAddress : m_endpoint.address, source);
    if (c.fd < 0) {
        m_lastError = std::string("socket/connect: ") + std::strerror(errno);
        c.state = Client::State::Closed;
        c.failed = true;
        m_observer.onClosed(c);
        return false;
    }
    c.state = Client::State::Connecting;
    c.wantWrite = true;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = tagOf(KindClient, c.index);
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &ev);
    return true;
}

void Engine::setWantWrite(Client &c, bool want)
{
    if (c.wantWrite == want || c.fd < 0)
        return;
    c.wantWrite = want;
    epoll_event ev{};
    ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
    ev.data.u64 = tagOf(KindClient, c.index);
    ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, c.fd, &ev);
}

void Engine::flush(Client &c)
{
    if (c.fd < 0 || c.state < Client::State::Handshaking)
        return;
    if (c.ssl) {
        flushTls(c);
        return;
    }
    std::size_t done = 0;
    while (done < c.out.size()) {
        const ssize_t n = ::send(c.fd, c.out.data() + done, c.out.size() - done, MSG_NOSIGNAL);
        if (n > 0) {
            done += std::size_t(n);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            break;
        } else {
            c.closedByServer = true;
            fail(c, "send failed");
            return;
        }
    }
    if (done == c.out.size())
        c.out.clear();
    else
        c.out.erase(0, done);
    setWantWrite(c, !c.out.empty());
}

void Engine::sendFrame(Client &c, Opcode op, std::string_view payload)
{
    if (c.fd < 0)
        return;
    appendFrame(c.out, op, payload, true, nextMask());
    if (!c.wantWrite)
        flush(c);
}

void Engine::sendText(Client &c, std::string_view text)
{
    if (c.state != Client::State::Open && c.state != Client::State::Opening)
        return;
    sendFrame(c, Opcode::Text, text);
}

void Engine::close(Client &c, std::uint16_t code)
{
    if (c.state == Client::State::Open || c.state == Client::State::Opening) {
        std::string frame;
        appendClose(frame, code, "bye", nextMask());
        c.out += frame;
        c.state = Client::State::Closing;
        if (!c.wantWrite)
            flush(c);
    } else if (c.state != Client::State::Closing && c.state != Client::State::Closed && c.state != Client::State::Idle) {
        abort(c);
    }
}

void Engine::abort(Client &c)
{
    if (c.state == Client::State::Closed || c.state == Client::State::Idle)
        return;
    if (c.state != Client::State::Open && c.state != Client::State::Closing)
        c.failed = true;
    finish(c);
}

void Engine::finish(Client &c)
{
    if (c.ssl) {
        // After a clean WebSocket close, a close_notify too (one small record; the server may
        // have gone already, which SIGPIPE ignored makes harmless). A drop stays a drop.
        if (c.cleanClose)
            SSL_shutdown(c.ssl);
        SSL_free(c.ssl);
        ERR_clear_error();
        c.ssl = nullptr;
        c.tlsReadWantsWrite = false;
    }
    if (c.fd >= 0) {
        ::close(c.fd); // also leaves the epoll set
        c.fd = -1;
    }
    c.state = Client::State::Closed;
    c.wantWrite = false;
    std::string().swap(c.out);
    std::string().swap(c.in);
    std::string().swap(c.accept);
    // The decoder is left alone: finish() can run from inside its feed() callback.
    m_observer.onClosed(c);
}

void Engine::fail(Client &c, const char *why)
{
    m_lastError = why;
    if (c.state != Client::State::Open && c.state != Client::State::Closing)
        c.failed = true;
    finish(c);
}

void Engine::opened(Client &c)
{
    c.state = Client::State::Open;
    c.openedUs = monotonicUs();
    m_observer.onOpen(c);
}

void Engine::watch(int fd, std::function<void()> onReadable)
{
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tagOf(KindWatch, std::uint32_t(m_watches.size()));
    m_watches.emplace_back(fd, std::move(onReadable));
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
}

void Engine::poll(int timeoutMs)
{
    epoll_event events[512];
    const int n = ::epoll_wait(m_epoll, events, 512, timeoutMs);
    for (int i = 0; i < n; ++i) {
        const auto kind = Kind(events[i].data.u64 >> 32);
        const auto index = std::uint32_t(events[i].data.u64 & 0xFFFFFFFFu);
        if (kind == KindClient)
            onClientEvent(*m_clients[index], events[i].events);
        else if (kind == KindHttp)
            onHttpEvent(*m_http[index], events[i].events);
        else
            m_watches[index].second();
    }
}

void Engine::onClientEvent(Client &c, std::uint32_t events)
{
    // An earlier event in the same batch may have closed it.
    if (c.fd < 0)
        return;
    if (c.state < Client::State::Handshaking) { // Connecting, or Securing (TLS handshake)
        if (c.state == Client::State::Securing) {
            continueTls(c);
            return;
        }
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0 || (events & (EPOLLERR | EPOLLHUP))) {
            m_lastError = std::string("connect: ") + std::strerror(error ? error : ECONNRESET);
            c.failed = true;
            finish(c);
            return;
        }
        if (!(events & EPOLLOUT))
            return;
        if (m_tls)
            startTls(c);
        else
            startUpgrade(c);
        return;
    }
    if (events & EPOLLIN) {
        onReadable(c);
        if (c.fd < 0)
            return;
    } else if (events & (EPOLLERR | EPOLLHUP)) {
        c.closedByServer = true;
        fail(c, "connection reset");
        return;
    }
    if ((events & EPOLLOUT) && c.fd >= 0)
        flush(c);
}

void Engine::startUpgrade(Client &c)
{
    std::uint8_t nonce[16];
    for (int i = 0; i < 16; i += 4)
        std::memcpy(nonce + i, nextMask(), 4);
    const std::string key = makeWebSocketKey(nonce);
    c.accept = webSocketAccept(key);
    std::string target = m_endpoint.path;
    if (isSocketIo()) {
        target += (target.find('?') == std::string::npos ? "?" : "&");
        target += "EIO=4&transport=websocket";
    } else {
        target += (target.find('?') == std::string::npos ? "?token=" : "&token=");
        target += c.token;
    }
    c.out = upgradeRequest(c.alt && m_endpoint.hasAlt ? m_endpoint.altHost : m_endpoint.host, target, key);
    c.state = Client::State::Handshaking;
    flush(c);
}

void Engine::onReadable(Client &c)
{
    if (c.ssl) {
        readTls(c);
        return;
    }
    char *buffer = m_readBuffer.data();
    for (;;) {
        const ssize_t n = ::recv(c.fd, buffer, m_readBuffer.size(), 0);
        if (n > 0) {
            if (c.state == Client::State::Handshaking)
                onHandshakeBytes(c, buffer, std::size_t(n));
            else
                onFrames(c, buffer, std::size_t(n));
            if (c.fd < 0 || std::size_t(n) < m_readBuffer.size())
                return;
        } else if (n == 0) {
            // The server closed TCP: after our close frame that ends the handshake; otherwise
            // it dropped us.
            if (c.state != Client::State::Closing)
                c.closedByServer = true;
            fail(c, "connection closed by the server");
            return;
        } else if (errno == EINTR) {
            continue;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            return;
        } else {
            c.closedByServer = true;
            fail(c, "recv failed");
            return;
        }
    }
}

// --- TLS (wss://): OpenSSL on the socket itself, the same framing above it -----------------

void Engine::startTls(Client &c)
{
    c.ssl = SSL_new(m_tls);
    if (!c.ssl || SSL_set_fd(c.ssl, c.fd) != 1) {
        failTls(c, "TLS setup", SSL_ERROR_SSL);
        return;
    }
    const std::string &host = c.alt && m_endpoint.hasAlt ? m_endpoint.altHost : m_endpoint.host;
    const std::string name = host.substr(0, host.rfind(':'));
    in_addr literal{};
    const bool isAddress = ::inet_pton(AF_INET, name.c_str(), &literal) == 1;
    if (!isAddress)
        SSL_set_tlsext_host_name(c.ssl, name.c_str());
    if (!m_endpoint.tlsCa.empty()) {
        if (isAddress)
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c.ssl), name.c_str());
        else
            SSL_set1_host(c.ssl, name.c_str());
    }
    SSL_set_connect_state(c.ssl);
    c.state = Client::State::Securing;
    continueTls(c);
}

void Engine::continueTls(Client &c)
{
    const int r = SSL_do_handshake(c.ssl);
    if (r == 1) {
        if (m_tlsSession.empty())
            m_tlsSession = std::string(SSL_get_version(c.ssl)) + " " + SSL_get_cipher_name(c.ssl);
        startUpgrade(c);
        return;
    }
    const int error = SSL_get_error(c.ssl, r);
    if (error == SSL_ERROR_WANT_READ)
        setWantWrite(c, false);
    else if (error == SSL_ERROR_WANT_WRITE)
        setWantWrite(c, true);
    else
        failTls(c, "TLS handshake", error);
}

void Engine::readTls(Client &c)
{
    char *buffer = m_readBuffer.data();
    const std::size_t capacity = m_readBuffer.size();
    c.tlsReadWantsWrite = false;
    for (;;) {
        // Everything OpenSSL and the socket hold (read ahead, 64 KiB a recv), up to a buffer
        // full, then parsed in one go like one plain recv(). Only "want read" says the socket
        // is drained: epoll cannot see records OpenSSL has already read.
        std::size_t filled = 0;
        int error = SSL_ERROR_NONE;
        while (filled < capacity) {
            std::size_t n = 0;
            const int r = SSL_read_ex(c.ssl, buffer + filled, capacity - filled, &n);
            if (r != 1) {
                error = SSL_get_error(c.ssl, r);
                break;
            }
            filled += n;
        }
        if (filled > 0) {
            if (c.state == Client::State::Handshaking)
                onHandshakeBytes(c, buffer, filled);
            else
                onFrames(c, buffer, filled);
            if (c.fd < 0)
                return;
        }
        switch (error) {
        case SSL_ERROR_NONE: // the buffer is full; more may wait
            continue;
        case SSL_ERROR_WANT_READ:
            return;
        case SSL_ERROR_WANT_WRITE: // e.g. answering a key update: resumed from flushTls()
            c.tlsReadWantsWrite = true;
            setWantWrite(c, true);
            return;
        case SSL_ERROR_ZERO_RETURN: // close_notify, or TCP end of stream
            if (c.state != Client::State::Closing)
                c.closedByServer = true;
            fail(c, "connection closed by the server");
            return;
        default:
            c.closedByServer = true;
            failTls(c, "TLS receive", error);
            return;
        }
    }
}

void Engine::flushTls(Client &c)
{
    if (c.tlsReadWantsWrite) {
        readTls(c);
        if (c.fd < 0)
            return;
    }
    std::size_t done = 0;
    while (done < c.out.size()) {
        // Partial writes: each record written counts, and a retry after "want write" passes
        // the same unsent bytes again (at a new address when out has grown meanwhile).
        std::size_t n = 0;
        const int r = SSL_write_ex(c.ssl, c.out.data() + done, c.out.size() - done, &n);
        if (r == 1) {
            done += n;
            continue;
        }
        const int error = SSL_get_error(c.ssl, r);
        // "Want read" would be a renegotiation, which TLS 1.3 does not have: wait for EPOLLOUT.
        if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ)
            break;
        c.closedByServer = true;
        failTls(c, "TLS send", error);
        return;
    }
    if (done == c.out.size())
        c.out.clear();
    else
        c.out.erase(0, done);
    setWantWrite(c, !c.out.empty() || c.tlsReadWantsWrite);
}

void Engine::failTls(Client &c, const char *what, int error)
{
    m_lastError = std::string(what) + ": " + tlsError(error);
    fail(c, m_lastError.c_str());
}

void Engine::onHandshakeBytes(Client &c, const char *data, std::size_t size)
{
    c.in.append(data, size);
    const UpgradeResponse r = parseUpgradeResponse(c.in, c.accept);
    if (r.state == UpgradeResponse::State::Incomplete)
        return;
    if (r.state == UpgradeResponse::State::Refused) {
        m_lastError = std::string("upgrade refused: ") + r.error + " (HTTP " + std::to_string(r.status) + ")";
        c.closeCode = std::uint16_t(r.status);
        c.closedByServer = true;
        c.failed = true;
        finish(c);
        return;
    }
    c.state = Client::State::Opening;
    std::string rest = c.in.substr(r.headerBytes);
    std::string().swap(c.in);
    std::string().swap(c.accept);
    if (!rest.empty())
        onFrames(c, rest.data(), rest.size());
}

void Engine::onFrames(Client &c, char *data, std::size_t size)
{
    bool closeFrame = false;
    const bool ok = c.decoder.feed(data, size, [&](Opcode op, std::string_view payload) {
        if (c.fd < 0)
            return;
        switch (op) {
        case Opcode::Text:
            onText(c, payload);
            break;
        case Opcode::Binary:
            ++m_protocolErrors;
            break;
        case Opcode::Ping:
            sendFrame(c, Opcode::Pong, payload);
            break;
        case Opcode::Pong:
            break;
        case Opcode::Close: {
            closeFrame = true;
            const CloseBody body = parseCloseBody(payload);
            c.closeCode = body.code;
            if (c.state != Client::State::Open && c.state != Client::State::Closing)
                m_lastError = "closed by the server before the welcome: " + std::to_string(body.code) + " " + std::string(body.reason);
            if (c.state == Client::State::Closing) {
                c.cleanClose = true;
            } else {
                // Answer with the same code, as the close handshake asks.
                c.closedByServer = true;
                std::string frame;
                appendClose(frame, body.code == 1005 ? 1000 : body.code, {}, nextMask());
                c.out += frame;
                flush(c);
            }
            break;
        }
        case Opcode::Continuation:
            break;
        }
    });
    if (c.fd < 0)
        return;
    if (!ok) {
        ++m_protocolErrors;
        m_lastError = std::string("protocol error: ") + c.decoder.error();
        fail(c, m_lastError.c_str());
        return;
    }
    if (closeFrame) {
        if (c.state != Client::State::Closing && c.state != Client::State::Open)
            c.failed = true;
        finish(c);
    }
}

void Engine::onText(Client &c, std::string_view text)
{
    if (isSocketIo())
        onSocketIoText(c, text);
    else
        onNativeText(c, text);
}

void Engine::onNativeText(Client &c, std::string_view text)
{
    const std::size_t at = text.find("\"type\":\"");
    if (at == std::string_view::npos) {
        ++m_protocolErrors;
        return;
    }
    const std::string_view type = text.substr(at + 8, text.find('"', at + 8) - (at + 8));
    if (type == "bench") {
        m_observer.onEvent(c, findTimestamp(text));
    } else if (type == "connected") {
        if (c.state == Client::State::Opening)
            opened(c);
    } else if (type == "subscribed") {
        if (c.joinsPending > 0)
            --c.joinsPending;
        m_observer.onJoined(c);
    } else if (type == "pong") {
        m_observer.onReply(c);
    } else if (type == "error") {
        m_observer.onServerError(c, text);
    }
    // Anything else (acks, other events) is ignored.
}

void Engine::onSocketIoText(Client &c, std::string_view text)
{
    if (text.empty()) {
        ++m_protocolErrors;
        return;
    }
    switch (text[0]) {
    case '0': { // Engine.IO open: connect to the default namespace with the token
        std::string connect = "40{\"token\":";
        appendQuoted(connect, c.token);
        connect += '}';
        sendFrame(c, Opcode::Text, connect);
        return;
    }
    case '1': // Engine.IO close
        c.closedByServer = true;
        fail(c, "Engine.IO close");
        return;
    case '2': // ping: answer with pong carrying the same data
        if (text.size() == 1) {
            sendFrame(c, Opcode::Text, "3");
        } else {
            std::string pong(text);
            pong[0] = '3';
            sendFrame(c, Opcode::Text, pong);
        }
        return;
    case '4':
        break;
    default:
        return; // 3 (pong), 5 (upgrade), 6 (noop)
    }
    if (text.size() < 2) {
        ++m_protocolErrors;
        return;
    }
    switch (text[1]) {
    case '0': // namespace connected
        if (c.state == Client::State::Opening)
            opened(c);
        return;
    case '4': { // connect error: the middleware refused the token
        m_lastError = std::string("Socket.IO connect error: ") + std::string(text.substr(2, 120));
        // Switchboard puts the native close code in the error's data: {"message":..,"data":{"code":4002}}
        const std::size_t at = text.find("\"code\":");
        if (at != std::string_view::npos) {
            unsigned code = 0;
            for (std::size_t k = at + 7; k < text.size() && text[k] >= '0' && text[k] <= '9' && code < 100000; ++k)
                code = code * 10 + unsigned(text[k] - '0');
            if (code > 0 && code < 65536)
                c.closeCode = std::uint16_t(code);
        }
        c.failed = true;
        finish(c);
        return;
    }
    case '1': // namespace disconnect
        c.closedByServer = true;
        fail(c, "Socket.IO disconnect");
        return;
    case '2':
        break;
    case '3': // ack: Switchboard's answer to join_room
        onSocketIoAck(c, text);
        return;
    default:
        return;
    }
    const std::string_view event = text.substr(2);
    if (startsWith(event, "[\"bench\"")) {
        m_observer.onEvent(c, findTimestamp(event));
    } else if (startsWith(event, "[\"subscribed\"")) {
        if (c.joinsPending > 0)
            --c.joinsPending;
        m_observer.onJoined(c);
    } else if (startsWith(event, "[\"echo\"")) {
        m_observer.onReply(c);
    } else if (startsWith(event, "[\"error\"")) {
        m_observer.onServerError(c, event);
    }
}

void Engine::onSocketIoAck(Client &c, std::string_view text)
{
    // 43<id>[{"ok":true,"room":"R"}] or 43<id>[{"ok":false,"error":{...}}]
    std::size_t i = 2;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9')
        ++i;
    const std::string_view args = text.substr(i);
    if (m_endpoint.protocol != Protocol::SwitchboardSocketIo)
        return; // the Socket.IO peer is never asked for acks
    if (i == 2 || !startsWith(args, "[{")) {
        ++m_protocolErrors;
        return;
    }
    if (args.find("\"ok\":true") != std::string_view::npos) {
        if (c.joinsPending > 0)
            --c.joinsPending;
        m_observer.onJoined(c);
    } else {
        m_observer.onServerError(c, args);
    }
}

std::string Engine::joinMessage(std::string_view room)
{
    std::string m;
    if (m_endpoint.protocol == Protocol::SwitchboardSocketIo) {
        // With an ack id: Switchboard confirms a join only through the ack.
        m = "42" + std::to_string(++m_nextAckId) + "[\"join_room\",";
        appendQuoted(m, room);
        m += ']';
    } else if (m_endpoint.protocol == Protocol::SocketIo) {
        m = "42[\"join_room\",";
        appendQuoted(m, room);
        m += ']';
    } else {
        m = "{\"type\":\"subscribe\",\"channel\":";
        appendQuoted(m, room);
        m += '}';
    }
    return m;
}

std::string Engine::emitMessage(std::string_view room, std::string_view data) const
{
    std::string m;
    m.reserve(64 + room.size() + data.size());
    if (m_endpoint.protocol == Protocol::SwitchboardSocketIo) {
        // The event itself, with the room inside its data object: {"room":R,<data's fields>}.
        m = "42[\"bench\",{\"room\":";
        appendQuoted(m, room);
        const std::string_view fields = data.size() > 2 ? data.substr(1) : std::string_view("}");
        if (fields != "}")
            m += ',';
        m.append(fields).append("]");
    } else if (m_endpoint.protocol == Protocol::SocketIo) {
        m = "42[\"emit\",{\"room\":";
        appendQuoted(m, room);
        m.append(",\"event\":\"bench\",\"data\":").append(data).append("}]");
    } else {
        m = "{\"type\":\"emit\",\"room\":";
        appendQuoted(m, room);
        m.append(",\"event\":\"bench\",\"data\":").append(data).append("}");
    }
    return m;
}

std::string Engine::echoMessage() const
{
    // Switchboard's Socket.IO endpoint has no echo event (options.cpp refuses the echo scenario).
    return isSocketIo() ? std::string("42[\"echo\",{}]") : std::string("{\"type\":\"ping\"}");
}

std::size_t Engine::dataOverhead(std::string_view room) const
{
    return m_endpoint.protocol == Protocol::SwitchboardSocketIo ? room.size() + 10 : 0; // "room":"R",
}

// --- HTTP emits (the mixed scenario's POST /api/v1/internal/emit) ---------------------------

void Engine::enableHttp(const sockaddr_in &address, std::string host, std::string internalKey, int connections)
{
    m_httpAddress = address;
    m_httpHost = std::move(host);
    m_internalKey = std::move(internalKey);
    for (int i = 0; i < connections; ++i) {
        auto h = std::make_unique<HttpConnection>();
        h->index = std::uint32_t(m_http.size());
        m_http.push_back(std::move(h));
    }
}

std::size_t Engine::httpBacklog() const
{
    std::size_t n = m_httpQueue.size();
    for (const auto &h : m_http)
        n += h->busy ? 1 : 0;
    return n;
}

void Engine::httpConnect(HttpConnection &h)
{
    h.fd = makeSocket(m_httpAddress, nullptr);
    if (h.fd < 0)
        return;
    h.connecting = true;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u64 = tagOf(KindHttp, h.index);
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, h.fd, &ev);
}

void Engine::httpPost(std::string_view path, std::string body)
{
    m_httpQueue.emplace_back(std::string(path), std::move(body));
    for (auto &h : m_http) {
        if (m_httpQueue.empty())
            break;
        if (h->busy)
            continue;
        if (h->fd < 0)
            httpConnect(*h);
        if (h->fd >= 0 && !h->connecting)
            httpSendNext(*h);
    }
}

void Engine::httpSendNext(HttpConnection &h)
{
    if (h.busy || m_httpQueue.empty() || h.fd < 0 || h.connecting)
        return;
    auto [path, body] = std::move(m_httpQueue.front());
    m_httpQueue.pop_front();
    h.out = "POST " + path + " HTTP/1.1\r\nHost: " + m_httpHost
        + "\r\nContent-Type: application/json\r\nx-internal-key: " + m_internalKey
        + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    h.busy = true;
    const ssize_t n = ::send(h.fd, h.out.data(), h.out.size(), MSG_NOSIGNAL);
    if (n > 0)
        h.out.erase(0, std::size_t(n));
    if (n < 0 && errno != EAGAIN) {
        httpDrop(h);
        return;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | (h.out.empty() ? 0u : EPOLLOUT);
    ev.data.u64 = tagOf(KindHttp, h.index);
    ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, h.fd, &ev);
}

void Engine::httpDrop(HttpConnection &h)
{
    if (h.busy)
        ++m_httpErrors;
    if (h.fd >= 0)
        ::close(h.fd);
    h.fd = -1;
    h.busy = false;
    h.connecting = false;
    h.out.clear();
    h.in.clear();
}

void Engine::onHttpEvent(HttpConnection &h, std::uint32_t events)
{
    if (h.fd < 0)
        return;
    if (h.connecting) {
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(h.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            // Nothing is lost yet: the requests wait in the queue; count one error per failed connect.
            ++m_httpErrors;
            httpDrop(h);
            return;
        }
        h.connecting = false;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = tagOf(KindHttp, h.index);
        ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, h.fd, &ev);
        httpSendNext(h);
        return;
    }
    if ((events & EPOLLOUT) && !h.out.empty()) {
        const ssize_t n = ::send(h.fd, h.out.data(), h.out.size(), MSG_NOSIGNAL);
        if (n > 0)
            h.out.erase(0, std::size_t(n));
        if (h.out.empty()) {
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = tagOf(KindHttp, h.index);
            ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, h.fd, &ev);
        }
    }
    if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        return;
    char buffer[8192];
    const ssize_t n = ::recv(h.fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
        if (n < 0 && errno == EAGAIN)
            return;
        httpDrop(h);
        return;
    }
    h.in.append(buffer, std::size_t(n));
    for (;;) {
        const std::size_t end = h.in.find("\r\n\r\n");
        if (end == std::string::npos)
            return;
        const std::string_view head(h.in.data(), end + 2);
        std::size_t total = end + 4;
        const std::string_view length = headerValue(head, "Content-Length");
        if (!length.empty()) {
            total += std::size_t(std::strtoull(std::string(length).c_str(), nullptr, 10));
        } else if (equalsIgnoreCase(headerValue(head, "Transfer-Encoding"), "chunked")) {
            const std::size_t last = h.in.find("\r\n0\r\n\r\n", end + 2);
            if (last == std::string::npos)
                return;
            total = last + 7;
        }
        if (h.in.size() < total)
            return;
        const bool ok = head.size() > 12 && head[9] == '2';
        ok ? ++m_httpOk : ++m_httpErrors;
        const bool keepAlive = !equalsIgnoreCase(headerValue(head, "Connection"), "close");
        h.in.erase(0, total);
        h.busy = false;
        if (!keepAlive) {
            httpDrop(h);
            return;
        }
        httpSendNext(h);
    }
}

} // namespace Switchboard::Bench

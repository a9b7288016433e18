#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <netinet/in.h>

#include "wsframe.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace Switchboard::Bench {

/// What the server speaks on its WebSocket: Switchboard's JSON protocol (also the `ws` and raw
/// peers), or Socket.IO v5 over Engine.IO 4 (WebSocket transport only) with one of two sets of
/// application events:
///  - SocketIo: the Socket.IO peer's (bench/peers/socketio-server.js): join_room answered by a
///    "subscribed" event, publishes as 42["emit",{room,event,data}];
///  - SwitchboardSocketIo: Switchboard's own /socket.io/ endpoint: join_room with an ack
///    (43<id>[{"ok":true,...}]), publishes as 42["bench",{"room":R,...data}] (any event whose
///    first argument carries a room the socket is in is relayed to that room).
enum class Protocol { Native, SocketIo, SwitchboardSocketIo };

struct Endpoint
{
    sockaddr_in address{};
    std::string host;   // Host header, "127.0.0.1:8080"
    std::string path;   // "/ws" or "/socket.io/"
    Protocol protocol = Protocol::Native;
    // --url2: a second server (a cluster node) for the clients marked alt.
    bool hasAlt = false;
    sockaddr_in altAddress{};
    std::string altHost;
    // wss://: TLS on every WebSocket connection, the server's certificate checked against
    // tlsCa (PEM) when it is set, not at all otherwise (a benchmark's throwaway certificate).
    bool tls = false;
    std::string tlsCa;
};

/// One client connection. Plain data owned by the Engine; scenarios keep indexes into it.
struct Client
{
    // Securing: the TLS handshake (wss:// only), between the TCP connect and the upgrade.
    enum class State : std::uint8_t { Idle, Connecting, Securing, Handshaking, Opening, Open, Closing, Closed };

    State state = State::Idle;
    bool wantWrite = false;      // EPOLLOUT registered
    bool failed = false;         // ended before it was open
    bool cleanClose = false;     // both close frames exchanged
    bool closedByServer = false; // the server sent the first close frame, or dropped the TCP connection
    bool tlsReadWantsWrite = false; // an SSL_read waits for the socket to take bytes
    std::uint16_t closeCode = 0; // code of the server's close frame
    std::uint8_t joinsPending = 0;
    std::uint8_t mark = 0;       // scenario's use
    int fd = -1;
    SSL *ssl = nullptr;          // wss:// only; owned, freed with the connection
    std::uint32_t index = 0;     // position in Engine::clients()
    std::int32_t room = -1;      // scenario's use
    std::int32_t role = 0;       // scenario's use
    bool alt = false;            // connects to Endpoint::altAddress
    std::int64_t startedUs = 0;  // connect() called
    std::int64_t openedUs = 0;   // welcome received
    std::int64_t sentUs = 0;     // scenario's use (echo)
    std::string token;
    std::string accept;          // expected Sec-WebSocket-Accept until the 101 arrives
    std::string in;              // handshake bytes until the 101 is complete
    std::string out;             // bytes the kernel (or, over TLS, SSL_write) has not taken yet
    FrameDecoder decoder{FrameDecoder::From::Server};
};

/// What a scenario hears from the engine.
class Observer
{
public:
    virtual ~Observer() = default;
    /// Welcomed: native "connected" message, or the Socket.IO namespace connect ("40").
    virtual void onOpen(Client &) {}
    /// One room join was confirmed ("subscribed").
    virtual void onJoined(Client &) {}
    /// A broadcast event "bench" with the timestamp found in its payload (-1 when none).
    virtual void onEvent(Client &, std::int64_t /*t*/) {}
    /// The answer to an echo request (native "pong", Socket.IO "echo").
    virtual void onReply(Client &) {}
    /// The server reported an error message on the socket (rate limit, overload, ...).
    virtual void onServerError(Client &, std::string_view /*message*/) {}
    /// The connection is over (failed, refused, closed by either side).
    virtual void onClosed(Client &) {}
};

/**
 * @brief A single-threaded epoll loop over many client WebSocket connections: non-blocking
 * connect from a rotating set of loopback source addresses, optionally TLS (OpenSSL on the
 * socket, for wss://), the upgrade handshake, RFC 6455 framing (masking, fragments,
 * ping/pong, close handshake) and the two application protocols. No Qt event loop; nothing
 * here allocates per message on the receive path.
 */
class Engine final
{
public:
    Engine(Endpoint endpoint, std::vector<in_addr> sources, Observer &observer);
    ~Engine();
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;

    /// Adds a client slot (not yet connected).
    Client &add(std::string token);
    Client &client(std::size_t i) { return *m_clients[i]; }
    std::size_t size() const { return m_clients.size(); }

    /// Starts the TCP connect and the handshake. False (and the client failed) when the socket
    /// cannot even be created, e.g. out of descriptors.
    bool open(Client &c);
    /// Sends one application text message (Socket.IO packets are passed whole, e.g. `42[...]`).
    void sendText(Client &c, std::string_view text);
    /// Starts the close handshake.
    void close(Client &c, std::uint16_t code = 1000);
    /// Drops the TCP connection without a close frame.
    void abort(Client &c);

    /// Watches another descriptor (e.g. the control socket); @p onReadable runs when it is.
    void watch(int fd, std::function<void()> onReadable);

    /// Waits at most @p timeoutMs for I/O and handles what is ready.
    void poll(int timeoutMs);

    /// Messages from the server that were not understood, protocol errors, and the like.
    std::uint64_t protocolErrors() const { return m_protocolErrors; }
    const std::string &lastError() const { return m_lastError; }
    /// wss://: the protocol and cipher suite the first TLS handshake agreed on
    /// ("TLSv1.3 TLS_AES_256_GCM_SHA384"); empty until then and without TLS.
    const std::string &tlsSession() const { return m_tlsSession; }

    /// Builds the protocol's text for a room join, a room emit and an echo request.
    std::string joinMessage(std::string_view room);
    std::string emitMessage(std::string_view room, std::string_view data) const;
    std::string echoMessage() const;
    /// Bytes the protocol adds inside the delivered data object of an emit to @p room (the
    /// `"room":"R",` that Switchboard's Socket.IO relay carries in the object itself), so a
    /// scenario can pad less and every protocol delivers objects of the same size.
    std::size_t dataOverhead(std::string_view room) const;
    bool isSocketIo() const { return m_endpoint.protocol != Protocol::Native; }

    /// Emits over HTTP POST to @p path with a pool of keep-alive connections (mixed scenario).
    void enableHttp(const sockaddr_in &address, std::string host, std::string internalKey, int connections);
    void httpPost(std::string_view path, std::string body);
    std::uint64_t httpOk() const { return m_httpOk; }
    std::uint64_t httpErrors() const { return m_httpErrors; }
    std::size_t httpBacklog() const;

private:
    struct HttpConnection;
    void onClientEvent(Client &c, std::uint32_t events);
    void onReadable(Client &c);
    void startUpgrade(Client &c);
    void startTls(Client &c);
    void continueTls(Client &c);
    void readTls(Client &c);
    void flushTls(Client &c);
    void failTls(Client &c, const char *what, int error);
    void onHandshakeBytes(Client &c, const char *data, std::size_t size);
    void onFrames(Client &c, char *data, std::size_t size);
    void onText(Client &c, std::string_view text);
    void onNativeText(Client &c, std::string_view text);
    void onSocketIoText(Client &c, std::string_view text);
    void onSocketIoAck(Client &c, std::string_view text);
    void sendFrame(Client &c, Opcode op, std::string_view payload);
    void flush(Client &c);
    void setWantWrite(Client &c, bool want);
    void finish(Client &c);
    void fail(Client &c, const char *why);
    void opened(Client &c);
    const std::uint8_t *nextMask();

    void httpConnect(HttpConnection &h);
    void onHttpEvent(HttpConnection &h, std::uint32_t events);
    void httpSendNext(HttpConnection &h);
    void httpDrop(HttpConnection &h);

    Endpoint m_endpoint;
    std::vector<in_addr> m_sources;
    Observer &m_observer;
    int m_epoll = -1;
    SSL_CTX *m_tls = nullptr;    // wss:// only
    std::vector<std::unique_ptr<Client>> m_clients;
    std::vector<std::pair<int, std::function<void()>>> m_watches;
    std::vector<char> m_readBuffer;
    std::uint64_t m_random = 0x9E3779B97F4A7C15ull;
    std::uint8_t m_mask[4] = {};
    std::uint64_t m_protocolErrors = 0;
    std::string m_lastError;
    std::string m_tlsSession;
    std::size_t m_nextSource = 0;
    std::uint32_t m_nextAckId = 0;

    sockaddr_in m_httpAddress{};
    std::string m_httpHost;
    std::string m_internalKey;
    std::vector<std::unique_ptr<HttpConnection>> m_http;
    std::deque<std::pair<std::string, std::string>> m_httpQueue; // (path, body)
    std::uint64_t m_httpOk = 0;
    std::uint64_t m_httpErrors = 0;
};

/// Reads the number after `"t":` in a message; -1 when there is none.
std::int64_t findTimestamp(std::string_view message);

} // namespace Switchboard::Bench

// switchboard-rawpeer: the ceiling of this box for the fan-out benchmark. One thread, one epoll
// set, no framework: the upgrade handshake, an HS256 signature check of the token, and for each
// publish one frame built once and written as-is to every member of the room. It understands
// only the load generator's messages (subscribe, emit with "data" as the last key, ping), so it
// is a measuring stick, not a server. See docs/benchmarks.md.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "handshake.h"
#include "token.h"
#include "wsframe.h"

using namespace Switchboard::Bench;

namespace {

struct Peer
{
    int fd = -1;
    bool open = false;
    bool wantWrite = false;
    std::string in;      // request bytes until the upgrade is complete
    std::string out;     // bytes the kernel did not take yet
    FrameDecoder decoder{FrameDecoder::From::Client, 1 << 20};
    std::vector<int> rooms;
};

class RawPeer
{
public:
    RawPeer(std::string secret) : m_secret(std::move(secret))
    {
        m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
        m_buffer.resize(256 * 1024);
        appendFrame(m_connected, Opcode::Text, R"({"type":"connected"})", true, nullptr);
        appendFrame(m_pong, Opcode::Text, R"({"type":"pong"})", true, nullptr);
    }

    bool listen(const char *host, int port)
    {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        const int one = 1;
        ::setsockopt(m_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(std::uint16_t(port));
        if (::inet_pton(AF_INET, host, &a.sin_addr) != 1
            || ::bind(m_listener, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0
            || ::listen(m_listener, SOMAXCONN) != 0) {
            std::fprintf(stderr, "rawpeer: cannot listen on %s:%d: %s\n", host, port, std::strerror(errno));
            return false;
        }
        socklen_t length = sizeof a;
        ::getsockname(m_listener, reinterpret_cast<sockaddr *>(&a), &length);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = ~0ull;
        ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_listener, &ev);
        std::fprintf(stderr, "rawpeer: listening on http://%s:%d\n", host, int(ntohs(a.sin_port)));
        return true;
    }

    void run()
    {
        epoll_event events[512];
        for (;;) {
            const int n = ::epoll_wait(m_epoll, events, 512, -1);
            for (int i = 0; i < n; ++i) {
                if (events[i].data.u64 == ~0ull) {
                    accept();
                    continue;
                }
                const auto fd = int(events[i].data.u64);
                if (std::size_t(fd) >= m_peers.size() || !m_peers[std::size_t(fd)])
                    continue;
                Peer &p = *m_peers[std::size_t(fd)];
                if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR))
                    readable(p);
                if (m_peers[std::size_t(fd)] && (events[i].events & EPOLLOUT))
                    flush(p);
            }
        }
    }

private:
    void accept()
    {
        for (;;) {
            const int fd = ::accept4(m_listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0)
                return;
            const int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            if (m_peers.size() <= std::size_t(fd))
                m_peers.resize(std::size_t(fd) + 1024);
            m_peers[std::size_t(fd)] = std::make_unique<Peer>();
            m_peers[std::size_t(fd)]->fd = fd;
            epoll_event ev{};
            ev.events = EPOLLIN;
            ev.data.u64 = std::uint64_t(fd);
            ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
        }
    }

    void drop(Peer &p)
    {
        for (const int room : p.rooms) {
            auto &members = m_members[std::size_t(room)];
            for (std::size_t i = 0; i < members.size(); ++i) {
                if (members[i] == &p) {
                    members[i] = members.back();
                    members.pop_back();
                    break;
                }
            }
        }
        const int fd = p.fd;
        ::close(fd);
        m_peers[std::size_t(fd)].reset();
    }

    void setWantWrite(Peer &p, bool want)
    {
        if (p.wantWrite == want)
            return;
        p.wantWrite = want;
        epoll_event ev{};
        ev.events = EPOLLIN | (want ? EPOLLOUT : 0u);
        ev.data.u64 = std::uint64_t(p.fd);
        ::epoll_ctl(m_epoll, EPOLL_CTL_MOD, p.fd, &ev);
    }

    /// Writes @p bytes now; what the kernel does not take waits for EPOLLOUT.
    void write(Peer &p, std::string_view bytes)
    {
        if (!p.out.empty()) {
            p.out.append(bytes);
            return;
        }
        const ssize_t n = ::send(p.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        const std::size_t done = n > 0 ? std::size_t(n) : 0;
        if (done < bytes.size()) {
            p.out.assign(bytes.substr(done));
            setWantWrite(p, true);
        }
    }

    void flush(Peer &p)
    {
        while (!p.out.empty()) {
            const ssize_t n = ::send(p.fd, p.out.data(), p.out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n <= 0)
                break;
            p.out.erase(0, std::size_t(n));
        }
        setWantWrite(p, !p.out.empty());
    }

    void readable(Peer &p)
    {
        char *buffer = m_buffer.data();
        const ssize_t n = ::recv(p.fd, buffer, m_buffer.size(), 0);
        if (n <= 0) {
            if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
            drop(p);
            return;
        }
        if (!p.open) {
            p.in.append(buffer, std::size_t(n));
            upgrade(p);
            return;
        }
        bool close = false;
        const bool ok = p.decoder.feed(buffer, std::size_t(n), [&](Opcode op, std::string_view payload) {
            if (op == Opcode::Text) {
                message(p, payload);
            } else if (op == Opcode::Ping) {
                std::string pong;
                appendFrame(pong, Opcode::Pong, payload, true, nullptr);
                write(p, pong);
            } else if (op == Opcode::Close) {
                const CloseBody body = parseCloseBody(payload);
                std::string reply;
                appendClose(reply, body.code == 1005 ? 1000 : body.code, {}, nullptr);
                write(p, reply);
                close = true;
            }
        });
        if (!ok) {
            std::string reply;
            appendClose(reply, p.decoder.errorCode(), p.decoder.error(), nullptr);
            write(p, reply);
            close = true;
        }
        if (close) {
            ::shutdown(p.fd, SHUT_WR);
            drop(p);
        }
    }

    void upgrade(Peer &p)
    {
        const std::size_t end = p.in.find("\r\n\r\n");
        if (end == std::string::npos) {
            if (p.in.size() > 16384)
                drop(p);
            return;
        }
        const std::string_view head(p.in.data(), end + 2);
        const std::string_view line = head.substr(0, head.find("\r\n"));
        if (line.rfind("GET /health", 0) == 0) {
            write(p, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\nConnection: close\r\n\r\n{\"status\":\"ok\"}");
            ::shutdown(p.fd, SHUT_WR);
            drop(p);
            return;
        }
        const std::string_view key = headerValue(head, "Sec-WebSocket-Key");
        std::string_view token;
        const std::size_t at = line.find("token=");
        if (at != std::string_view::npos) {
            token = line.substr(at + 6);
            token = token.substr(0, token.find_first_of("& "));
        }
        if (key.empty() || !verifyTokenSignature(token, m_secret)) {
            write(p, "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            ::shutdown(p.fd, SHUT_WR);
            drop(p);
            return;
        }
        std::string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
        response += webSocketAccept(key);
        response += "\r\n\r\n";
        response += m_connected;
        std::string().swap(p.in);
        p.open = true;
        write(p, response);
    }

    static std::string_view stringField(std::string_view message, std::string_view key)
    {
        const std::size_t at = message.find(key);
        if (at == std::string_view::npos)
            return {};
        const std::size_t start = at + key.size();
        const std::size_t end = message.find('"', start);
        return end == std::string_view::npos ? std::string_view{} : message.substr(start, end - start);
    }

    void message(Peer &p, std::string_view text)
    {
        if (text.find(R"("type":"emit")") != std::string_view::npos) {
            const std::string_view room = stringField(text, R"("room":")");
            const std::size_t at = text.find(R"("data":)");
            const auto it = m_rooms.find(std::string(room));
            if (it == m_rooms.end() || at == std::string_view::npos || text.back() != '}')
                return;
            const std::string_view data = text.substr(at + 7, text.size() - 1 - (at + 7));
            m_frame.clear();
            std::string body = R"({"type":"bench","data":)";
            body.append(data).append(R"(,"room":")").append(room).append("\"}");
            appendFrame(m_frame, Opcode::Text, body, true, nullptr);
            for (Peer *member : m_members[std::size_t(it->second)]) {
                if (member != &p)
                    write(*member, m_frame);
            }
        } else if (text.find(R"("type":"subscribe")") != std::string_view::npos) {
            const std::string_view room = stringField(text, R"("channel":")");
            auto it = m_rooms.find(std::string(room));
            if (it == m_rooms.end()) {
                it = m_rooms.emplace(std::string(room), int(m_members.size())).first;
                m_members.emplace_back();
            }
            m_members[std::size_t(it->second)].push_back(&p);
            p.rooms.push_back(it->second);
            std::string reply;
            appendFrame(reply, Opcode::Text, std::string(R"({"type":"subscribed","channel":")").append(room).append("\"}"), true, nullptr);
            write(p, reply);
        } else if (text.find(R"("type":"ping")") != std::string_view::npos) {
            write(p, m_pong);
        }
    }

    std::string m_secret;
    int m_epoll = -1;
    int m_listener = -1;
    std::vector<char> m_buffer;
    std::vector<std::unique_ptr<Peer>> m_peers;        // by descriptor
    std::unordered_map<std::string, int> m_rooms;
    std::vector<std::vector<Peer *>> m_members;
    std::string m_connected;
    std::string m_pong;
    std::string m_frame;
};

} // namespace

int main(int argc, char **argv)
{
    const char *host = "127.0.0.1";
    int port = 8093;
    std::string secret = "bench-secret";
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view name = argv[i];
        if (name == "--port")
            port = std::atoi(argv[i + 1]);
        else if (name == "--host")
            host = argv[i + 1];
        else if (name == "--jwt-secret")
            secret = argv[i + 1];
        else {
            std::fprintf(stderr, "usage: switchboard-rawpeer [--host 127.0.0.1] [--port N] [--jwt-secret S]\n");
            return 2;
        }
    }
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    std::signal(SIGPIPE, SIG_IGN);
    RawPeer peer(secret);
    if (!peer.listen(host, port))
        return 1;
    peer.run();
}

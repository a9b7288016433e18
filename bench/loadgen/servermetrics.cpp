#include "servermetrics.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string_view>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace Switchboard::Bench {

namespace {

std::string httpGet(const std::string &url)
{
    constexpr std::string_view scheme = "http://";
    if (url.compare(0, scheme.size(), scheme) != 0)
        return {};
    const std::size_t hostStart = scheme.size();
    const std::size_t slash = url.find('/', hostStart);
    const std::string authority = url.substr(hostStart, slash == std::string::npos ? std::string::npos : slash - hostStart);
    const std::string path = slash == std::string::npos ? "/" : url.substr(slash);
    const std::size_t colon = authority.rfind(':');
    if (colon == std::string::npos)
        return {};
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(std::uint16_t(std::atoi(authority.c_str() + colon + 1)));
    if (inet_pton(AF_INET, authority.substr(0, colon).c_str(), &address.sin_addr) != 1)
        return {};
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return {};
    timeval timeout{2, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    std::string answer;
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0) {
        const std::string request = "GET " + path + " HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n\r\n";
        if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size())) {
            char buffer[16384];
            for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0 && answer.size() < (8u << 20);)
                answer.append(buffer, std::size_t(n));
        }
    }
    ::close(fd);
    return answer;
}

} // namespace

ServerLatency readServerLatency(const std::string &url)
{
    ServerLatency result;
    if (url.empty())
        return result;
    const std::string text = httpGet(url);
    constexpr std::string_view prefix = "switchboard_emit_latency_seconds_bucket{le=\"";
    for (std::size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
        const std::size_t bound = at + prefix.size();
        const std::size_t quote = text.find('"', bound);
        const std::size_t space = text.find(' ', quote);
        if (quote == std::string::npos || space == std::string::npos)
            break;
        const std::string le = text.substr(bound, quote - bound);
        result.boundsMs.push_back(le == "+Inf" ? std::numeric_limits<double>::infinity() : std::atof(le.c_str()) * 1000);
        result.cumulative.push_back(std::strtoull(text.c_str() + space + 1, nullptr, 10));
    }
    return result;
}

double serverQuantileMs(const ServerLatency &before, const ServerLatency &after, double q)
{
    if (!before.ok() || before.cumulative.size() != after.cumulative.size())
        return NAN;
    const std::uint64_t total = after.cumulative.back() - before.cumulative.back();
    if (total == 0)
        return NAN;
    const double rank = std::ceil(q * double(total));
    for (std::size_t i = 0; i < after.cumulative.size(); ++i) {
        if (double(after.cumulative[i] - before.cumulative[i]) >= rank)
            return after.boundsMs[i];
    }
    return after.boundsMs.back();
}

} // namespace Switchboard::Bench

#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace Switchboard::Bench {

/// Base64 of 16 bytes: a Sec-WebSocket-Key.
std::string makeWebSocketKey(const std::uint8_t nonce[16]);

/// Sec-WebSocket-Accept for @p key (section 4.2.2: base64(SHA-1(key + GUID))).
std::string webSocketAccept(std::string_view key);

/// A complete client upgrade request for @p target ("/ws?token=..."), optionally with extra
/// header lines (each ending in "\r\n").
std::string upgradeRequest(std::string_view host, std::string_view target, std::string_view key,
                           std::string_view extraHeaders = {});

/// The server's answer to an upgrade request.
struct UpgradeResponse
{
    enum class State { Incomplete, Accepted, Refused };
    State state = State::Incomplete;
    int status = 0;
    std::size_t headerBytes = 0; // where the first frame starts
    const char *error = "";
};

/// Parses what has arrived so far; Accepted needs 101, Upgrade: websocket, Connection: upgrade
/// and the expected Sec-WebSocket-Accept. @p maxHeader bounds a response that never ends.
UpgradeResponse parseUpgradeResponse(std::string_view data, std::string_view expectedAccept,
                                     std::size_t maxHeader = 16384);

/// The value of header @p name (case-insensitive) in a header block, trimmed; empty if absent.
std::string_view headerValue(std::string_view headers, std::string_view name);

/// Case-insensitive ASCII comparison.
bool equalsIgnoreCase(std::string_view a, std::string_view b);

} // namespace Switchboard::Bench

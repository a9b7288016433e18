#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace Switchboard::Bench {

/// RFC 6455 section 5.2 opcodes.
enum class Opcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

inline bool isControl(Opcode op)
{
    return (std::uint8_t(op) & 0x8) != 0;
}

/// XORs @p size bytes with the 4-byte @p key, starting at key position @p phase (0..3).
void applyMask(char *data, std::size_t size, const std::uint8_t key[4], std::size_t phase = 0);

/**
 * Appends one frame to @p out. A non-null @p mask masks the payload with that key, as a client
 * must (section 5.3); a server passes nullptr. The length uses the shortest encoding.
 */
void appendFrame(std::string &out, Opcode op, std::string_view payload, bool fin, const std::uint8_t *mask);

/// Appends a close frame carrying @p code and @p reason (truncated to fit 125 bytes).
void appendClose(std::string &out, std::uint16_t code, std::string_view reason, const std::uint8_t *mask);

/// A close frame's body (section 5.5.1).
struct CloseBody
{
    bool valid = true;          // false: 1-byte body or a code that must not be sent
    std::uint16_t code = 1005;  // 1005 "no status" when the body is empty
    std::string_view reason;
};
CloseBody parseCloseBody(std::string_view payload);

/// Codes a peer may put in a close frame (1000-1003, 1007-1014, 3000-4999).
bool isSendableCloseCode(std::uint16_t code);

/**
 * @brief Incremental RFC 6455 frame reader: fragmentation reassembly, control frames
 * between fragments, masking rules, length limits.
 *
 * feed() takes whatever arrived and calls `sink(Opcode, std::string_view payload)` once per
 * complete message (Text/Binary, reassembled from fragments) and per control frame. A
 * message contained in one read is passed as a view into the caller's buffer (unmasked in
 * place), so the usual small message is never copied. After a Close frame nothing more is
 * parsed. Text is not UTF-8 validated (load-generator use; documented in docs/benchmarks.md).
 */
class FrameDecoder final
{
public:
    /// Whose frames are read: a server's must be unmasked, a client's masked.
    enum class From { Server, Client };

    explicit FrameDecoder(From from, std::size_t maxMessage = 16u << 20) : m_from(from), m_maxMessage(maxMessage) {}

    /// Returns false once the stream is broken; errorCode() says how to close (1002, 1009).
    template<typename Sink>
    bool feed(char *data, std::size_t size, Sink &&sink)
    {
        if (m_errorCode != 0 || m_closed)
            return m_errorCode == 0;
        if (m_pending.empty()) {
            const std::size_t used = parse(data, size, sink);
            if (m_errorCode == 0 && !m_closed && used < size)
                m_pending.assign(data + used, size - used);
        } else {
            m_pending.append(data, size);
            const std::size_t used = parse(m_pending.data(), m_pending.size(), sink);
            m_pending.erase(0, used);
        }
        if (m_closed)
            m_pending.clear();
        return m_errorCode == 0;
    }

    std::uint16_t errorCode() const { return m_errorCode; }
    const char *error() const { return m_error; }
    bool closeReceived() const { return m_closed; }
    bool inFragmentedMessage() const { return m_fragmented; }
    /// Bytes held for an incomplete frame or message.
    std::size_t buffered() const { return m_pending.size() + m_message.size(); }

private:
    bool fail(std::uint16_t code, const char *why)
    {
        m_errorCode = code;
        m_error = why;
        return false;
    }

    template<typename Sink>
    std::size_t parse(char *data, std::size_t size, Sink &sink)
    {
        std::size_t pos = 0;
        while (size - pos >= 2) {
            const auto b0 = std::uint8_t(data[pos]);
            const auto b1 = std::uint8_t(data[pos + 1]);
            const bool fin = (b0 & 0x80) != 0;
            const auto op = Opcode(b0 & 0x0F);
            const bool masked = (b1 & 0x80) != 0;
            std::uint64_t length = b1 & 0x7F;
            std::size_t header = 2;
            if (length == 126) {
                if (size - pos < 4)
                    break;
                length = (std::uint64_t(std::uint8_t(data[pos + 2])) << 8) | std::uint8_t(data[pos + 3]);
                header = 4;
                if (length < 126)
                    return fail(1002, "length not minimally encoded"), pos;
            } else if (length == 127) {
                if (size - pos < 10)
                    break;
                length = 0;
                for (int i = 0; i < 8; ++i)
                    length = (length << 8) | std::uint8_t(data[pos + 2 + i]);
                header = 10;
                if (length >> 63)
                    return fail(1002, "64-bit length with the top bit set"), pos;
                if (length <= 0xFFFF)
                    return fail(1002, "length not minimally encoded"), pos;
            }
            if ((b0 & 0x70) != 0)
                return fail(1002, "reserved bits set without an extension"), pos;
            if (!validOpcode(op))
                return fail(1002, "reserved opcode"), pos;
            if (masked != (m_from == From::Client))
                return fail(1002, m_from == From::Client ? "client frame not masked" : "server frame masked"), pos;
            if (isControl(op)) {
                if (!fin)
                    return fail(1002, "fragmented control frame"), pos;
                if (length > 125)
                    return fail(1002, "control frame longer than 125 bytes"), pos;
            } else if (op == Opcode::Continuation) {
                if (!m_fragmented)
                    return fail(1002, "continuation without a message to continue"), pos;
                if (m_message.size() + length > m_maxMessage)
                    return fail(1009, "message too big"), pos;
            } else {
                if (m_fragmented)
                    return fail(1002, "new message inside a fragmented one"), pos;
                if (length > m_maxMessage)
                    return fail(1009, "message too big"), pos;
            }
            if (masked)
                header += 4;
            if (size - pos < header + length)
                break;
            char *payload = data + pos + header;
            if (masked) {
                std::uint8_t key[4];
                std::memcpy(key, payload - 4, 4);
                applyMask(payload, std::size_t(length), key);
            }
            pos += header + std::size_t(length);
            const std::string_view view(payload, std::size_t(length));
            if (isControl(op)) {
                if (op == Opcode::Close) {
                    if (!parseCloseBody(view).valid)
                        return fail(1002, "invalid close frame body"), pos;
                    m_closed = true;
                    sink(op, view);
                    return pos;
                }
                sink(op, view);
            } else if (op == Opcode::Continuation) {
                m_message.append(view);
                if (fin) {
                    m_fragmented = false;
                    sink(m_messageOpcode, std::string_view(m_message));
                    m_message.clear();
                }
            } else if (fin) {
                sink(op, view);
            } else {
                m_fragmented = true;
                m_messageOpcode = op;
                m_message.assign(view);
            }
        }
        return pos;
    }

    static bool validOpcode(Opcode op)
    {
        switch (op) {
        case Opcode::Continuation: case Opcode::Text: case Opcode::Binary:
        case Opcode::Close: case Opcode::Ping: case Opcode::Pong:
            return true;
        }
        return false;
    }

    From m_from;
    std::size_t m_maxMessage;
    std::string m_pending;       // an incomplete frame
    std::string m_message;       // fragments of the current message
    Opcode m_messageOpcode = Opcode::Text;
    bool m_fragmented = false;
    bool m_closed = false;
    std::uint16_t m_errorCode = 0;
    const char *m_error = "";
};

} // namespace Switchboard::Bench

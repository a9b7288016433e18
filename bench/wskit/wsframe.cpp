#include "wsframe.h"

namespace Switchboard::Bench {

void applyMask(char *data, std::size_t size, const std::uint8_t key[4], std::size_t phase)
{
    std::uint8_t k[8];
    for (int i = 0; i < 8; ++i)
        k[i] = key[(phase + std::size_t(i)) & 3];
    std::uint64_t k8;
    std::memcpy(&k8, k, 8);
    std::size_t i = 0;
    // Eight bytes at a time: the key repeats every four bytes, so any 8-byte step keeps phase.
    for (; i + 8 <= size; i += 8) {
        std::uint64_t v;
        std::memcpy(&v, data + i, 8);
        v ^= k8;
        std::memcpy(data + i, &v, 8);
    }
    for (; i < size; ++i)
        data[i] = char(std::uint8_t(data[i]) ^ k[i & 3]);
}

void appendFrame(std::string &out, Opcode op, std::string_view payload, bool fin, const std::uint8_t *mask)
{
    char header[14];
    std::size_t h = 0;
    header[h++] = char((fin ? 0x80 : 0x00) | std::uint8_t(op));
    const std::uint8_t maskBit = mask ? 0x80 : 0x00;
    const std::uint64_t n = payload.size();
    if (n < 126) {
        header[h++] = char(maskBit | n);
    } else if (n <= 0xFFFF) {
        header[h++] = char(maskBit | 126);
        header[h++] = char(n >> 8);
        header[h++] = char(n & 0xFF);
    } else {
        header[h++] = char(maskBit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            header[h++] = char((n >> shift) & 0xFF);
    }
    if (mask) {
        std::memcpy(header + h, mask, 4);
        h += 4;
    }
    const std::size_t at = out.size() + h;
    out.append(header, h);
    out.append(payload);
    if (mask)
        applyMask(out.data() + at, payload.size(), mask);
}

void appendClose(std::string &out, std::uint16_t code, std::string_view reason, const std::uint8_t *mask)
{
    char body[125];
    body[0] = char(code >> 8);
    body[1] = char(code & 0xFF);
    const std::size_t n = reason.size() < 123 ? reason.size() : 123;
    std::memcpy(body + 2, reason.data(), n);
    appendFrame(out, Opcode::Close, std::string_view(body, n + 2), true, mask);
}

bool isSendableCloseCode(std::uint16_t code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

CloseBody parseCloseBody(std::string_view payload)
{
    CloseBody body;
    if (payload.empty())
        return body;
    if (payload.size() == 1) {
        body.valid = false;
        return body;
    }
    body.code = std::uint16_t((std::uint8_t(payload[0]) << 8) | std::uint8_t(payload[1]));
    body.reason = payload.substr(2);
    body.valid = isSendableCloseCode(body.code);
    return body;
}

} // namespace Switchboard::Bench

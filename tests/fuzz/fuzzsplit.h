#pragma once
// Shared by the fuzz targets: cuts an input into chunks whose sizes come from its first byte,
// so one corpus entry is tried in many splits, as bytes arrive from a socket.
#include <cstddef>
#include <cstdint>

namespace Switchboard::Fuzz {

class Splitter
{
public:
    Splitter(const uint8_t *data, size_t size)
        : m_seed(size ? data[0] : 0), m_data(size ? data + 1 : data), m_size(size ? size - 1 : 0)
    {
    }
    const uint8_t *data() const { return m_data; }
    size_t size() const { return m_size; }
    /// The size of the next chunk starting at @p pos: 1 byte up to everything left.
    size_t next(size_t pos)
    {
        m_seed = m_seed * 1103515245u + 12345u;
        const size_t left = m_size - pos;
        if ((m_seed >> 28) == 0)
            return left; // now and then the rest in one go
        const size_t chunk = 1 + (m_seed >> 8) % 700;
        return chunk < left ? chunk : left;
    }

private:
    uint32_t m_seed;
    const uint8_t *m_data;
    size_t m_size;
};

} // namespace Switchboard::Fuzz

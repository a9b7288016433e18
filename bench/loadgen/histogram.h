#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace Switchboard::Bench {

/**
 * @brief Latency histogram in microseconds with ~1.6% resolution (64 sub-buckets per power of
 * two), fixed size so worker processes can send it to the parent as plain bytes and the
 * parent can add them up.
 */
class Histogram final
{
public:
    static constexpr int kSubBits = 6;
    static constexpr int kLinear = 2 << kSubBits;                  // values below 128 are exact
    static constexpr int kBuckets = kLinear + (40 - kSubBits) * (1 << kSubBits);

    void record(std::int64_t us)
    {
        const auto v = std::uint64_t(us < 0 ? 0 : us);
        ++m_counts[std::size_t(index(v))];
        ++m_total;
        m_max = std::max(m_max, v);
    }

    void add(const Histogram &other)
    {
        for (int i = 0; i < kBuckets; ++i)
            m_counts[std::size_t(i)] += other.m_counts[std::size_t(i)];
        m_total += other.m_total;
        m_max = std::max(m_max, other.m_max);
    }

    std::uint64_t count() const { return m_total; }
    std::uint64_t max() const { return m_max; }

    /// The value at quantile @p q (0..1), in microseconds; 0 when empty.
    double quantile(double q) const
    {
        if (m_total == 0)
            return 0;
        const auto rank = std::uint64_t(q * double(m_total - 1)) + 1;
        std::uint64_t seen = 0;
        for (int i = 0; i < kBuckets; ++i) {
            seen += m_counts[std::size_t(i)];
            if (seen >= rank)
                return std::min(double(m_max), midpoint(i));
        }
        return double(m_max);
    }

    static int index(std::uint64_t v)
    {
        if (v < std::uint64_t(kLinear))
            return int(v);
        const int top = 63 - std::countl_zero(v);          // >= kSubBits + 1
        const int shift = top - kSubBits;
        const int i = (shift + 1) * (1 << kSubBits) + int(v >> shift) - (1 << kSubBits);
        return std::min(i, kBuckets - 1);
    }

    static double midpoint(int i)
    {
        if (i < kLinear)
            return i;
        const int shift = i / (1 << kSubBits) - 1;
        const std::uint64_t mantissa = std::uint64_t(i % (1 << kSubBits) + (1 << kSubBits));
        const std::uint64_t low = mantissa << shift;
        return double(low) + double((std::uint64_t(1) << shift) - 1) / 2.0;
    }

private:
    std::array<std::uint64_t, kBuckets> m_counts{};
    std::uint64_t m_total = 0;
    std::uint64_t m_max = 0;
};

} // namespace Switchboard::Bench

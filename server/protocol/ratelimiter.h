#pragma once

#include <QtCore/qglobal.h>

namespace Switchboard {

/**
 * @brief Token bucket: @c rate tokens per second, at most @c burst saved up.
 *
 * Time is passed in (milliseconds, monotonic) so the limiter stays a plain value type and
 * tests can drive it exactly.
 */
class RateLimiter final
{
public:
    RateLimiter() = default;
    RateLimiter(double ratePerSecond, double burst, qint64 nowMs)
        : m_rate(ratePerSecond), m_burst(burst), m_tokens(burst), m_lastMs(nowMs) {}

    /// Takes one token; false when the bucket is empty.
    bool tryAcquire(qint64 nowMs)
    {
        if (nowMs > m_lastMs) {
            m_tokens = qMin(m_burst, m_tokens + double(nowMs - m_lastMs) * m_rate / 1000.0);
            m_lastMs = nowMs;
        }
        if (m_tokens >= 1.0) {
            m_tokens -= 1.0;
            return true;
        }
        if (nowMs - m_windowStartMs >= kAbuseWindowMs) {
            m_windowStartMs = nowMs;
            m_rejectedInWindow = 0;
        }
        ++m_rejectedInWindow;
        return false;
    }

    /// New rate and burst (a reload): the tokens the bucket holds stay, cut to @p burst.
    void setLimits(double ratePerSecond, double burst)
    {
        m_rate = ratePerSecond;
        m_burst = burst;
        m_tokens = qMin(m_tokens, burst);
    }
    double rate() const { return m_rate; }
    double burst() const { return m_burst; }

    /// Messages refused in the current abuse window (10 s): sustained abuse when large.
    int rejectedRecently() const { return m_rejectedInWindow; }
    static constexpr qint64 kAbuseWindowMs = 10000;
    double tokens() const { return m_tokens; }

private:
    double m_rate = 100;
    double m_burst = 200;
    double m_tokens = 200;
    qint64 m_lastMs = 0;
    qint64 m_windowStartMs = 0;
    int m_rejectedInWindow = 0;
};

} // namespace Switchboard

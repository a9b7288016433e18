#pragma once

#include <algorithm>
#include <cmath>

#include <QtCore/QtGlobal>

namespace Switchboard {

/**
 * Full-jitter exponential backoff: a random delay in [0, min(cap, base * 2^(failures-1))].
 * @p unit is a random number in [0, 1). @p failures counts failed attempts so far (>= 1).
 * Queue redelivery uses it as is; the AMQP bridge adds a floor.
 */
inline qint64 backoffDelayMs(int failures, qint64 baseMs, qint64 capMs, double unit)
{
    // base * 2^(failures-1), computed without overflow: past 2^40 the cap has long won.
    const int exponent = std::clamp(failures - 1, 0, 40);
    const double ceiling = std::min(double(capMs), double(baseMs) * std::ldexp(1.0, exponent));
    return qint64(std::floor(std::clamp(unit, 0.0, 1.0) * ceiling));
}

} // namespace Switchboard

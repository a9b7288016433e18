#include "edgepolicy.h"

#include "router.h"

namespace Switchboard {

bool originAllowed(const QByteArray &origin, const QStringList &patterns)
{
    if (patterns.isEmpty() || origin.isEmpty())
        return true;
    const QString o = QString::fromLatin1(origin).toLower();
    for (const QString &pattern : patterns) {
        const QString p = pattern.toLower();
        if (p == QLatin1String("*") || p == o)
            return true;
        // "https://*.example.com": the scheme, then any subdomain labels, then the rest.
        const qsizetype star = p.indexOf(QLatin1String("://*."));
        if (star < 0)
            continue;
        const QString scheme = p.left(star + 3);
        const QString suffix = p.mid(star + 4); // ".example.com" (and a port, if any)
        if (o.startsWith(scheme) && o.endsWith(suffix) && o.size() > scheme.size() + suffix.size()
            && !o.mid(scheme.size(), o.size() - scheme.size() - suffix.size()).contains(QLatin1Char('/'))) {
            return true;
        }
    }
    return false;
}

ClientAddress::ClientAddress(const QStringList &trustedProxies)
{
    for (const QString &entry : trustedProxies) {
        const auto subnet = entry.contains(QLatin1Char('/')) ? QHostAddress::parseSubnet(entry)
                                                             : QPair<QHostAddress, int>(QHostAddress(entry), -1);
        if (!subnet.first.isNull())
            m_trusted.append(subnet);
    }
}

bool ClientAddress::isTrusted(const QHostAddress &address) const
{
    for (const auto &[network, bits] : m_trusted) {
        if (bits < 0 ? address.isEqual(network, QHostAddress::TolerantConversion) : address.isInSubnet(network, bits))
            return true;
    }
    return false;
}

QHostAddress ClientAddress::of(const RequestData &request) const
{
    const QHostAddress peer = request.remoteAddress();
    if (m_trusted.isEmpty() || !isTrusted(peer))
        return peer;
    // Right to left: the first hop that is not one of our proxies is the client.
    const QList<QByteArray> hops = request.value("x-forwarded-for").split(',');
    for (qsizetype i = hops.size() - 1; i >= 0; --i) {
        const QHostAddress hop(QString::fromLatin1(hops.at(i).trimmed()));
        if (hop.isNull())
            break; // garbage: trust nothing further left
        if (!isTrusted(hop))
            return hop;
    }
    return peer;
}

namespace {

/// An address as a hash key: its 16 bytes as IPv6 (an IPv4 address mapped), one key per client.
QByteArray addressKey(const QHostAddress &address)
{
    const Q_IPV6ADDR raw = address.toIPv6Address();
    return QByteArray(reinterpret_cast<const char *>(raw.c), 16);
}

} // namespace

QString clientText(const QHostAddress &client, const QHostAddress &peer, quint16 peerPort)
{
    return client.isEqual(peer) ? peer.toString() + QLatin1Char(':') + QString::number(peerPort) : client.toString();
}

AddressRateLimits::AddressRateLimits(double ratePerSecond, double burst)
    : m_rate(ratePerSecond), m_burst(qMax(1.0, burst))
{
}

bool AddressRateLimits::tryAcquire(const QHostAddress &address, qint64 nowMs)
{
    if (m_rate <= 0)
        return true;
    const QByteArray key = addressKey(address);
    QMutexLocker lock(&m_lock);
    auto it = m_buckets.find(key);
    if (it == m_buckets.end()) {
        if (m_buckets.size() >= kMaxAddresses) {
            for (auto b = m_buckets.begin(); b != m_buckets.end();) {
                b->tryAcquire(nowMs); // refills it; a full one is idle
                b = b->tokens() >= m_burst - 1 ? m_buckets.erase(b) : std::next(b);
            }
            if (m_buckets.size() >= kMaxAddresses)
                return true;
        }
        it = m_buckets.insert(key, RateLimiter(m_rate, m_burst, nowMs));
    }
    return it->tryAcquire(nowMs);
}

int AddressRateLimits::tracked() const
{
    QMutexLocker lock(&m_lock);
    return int(m_buckets.size());
}

bool AddressConnectionCounts::available(const QHostAddress &address) const
{
    return !enabled() || count(address) < m_max;
}

int AddressConnectionCounts::count(const QHostAddress &address) const
{
    QMutexLocker lock(&m_lock);
    return m_open.value(addressKey(address));
}

bool AddressConnectionCounts::tryAcquire(const QHostAddress &address)
{
    if (!enabled())
        return true;
    QMutexLocker lock(&m_lock);
    int &open = m_open[addressKey(address)];
    if (open >= m_max)
        return false;
    ++open;
    return true;
}

void AddressConnectionCounts::release(const QHostAddress &address)
{
    if (!enabled())
        return;
    QMutexLocker lock(&m_lock);
    const auto it = m_open.find(addressKey(address));
    if (it != m_open.end() && --it.value() <= 0)
        m_open.erase(it);
}

} // namespace Switchboard

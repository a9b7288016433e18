#include "profilestore.h"

#include <algorithm>

#include <QtCore/QCoreApplication>
#include <QtCore/QSettings>

namespace Switchboard {

namespace {
constexpr int kMaxProfiles = 100;
constexpr int kMaxNameChars = 80;
}

ProfileStore::ProfileStore(QSettings *settings) : m_settings(settings)
{
    if (!m_settings) {
        m_own = std::make_unique<QSettings>();
        m_settings = m_own.get();
    }
}

ProfileStore::~ProfileStore() = default;

QList<ConnectionProfile> ProfileStore::profiles() const
{
    QList<ConnectionProfile> out;
    const int count = m_settings->beginReadArray(QStringLiteral("profiles"));
    for (int i = 0; i < qMin(count, kMaxProfiles); ++i) {
        m_settings->setArrayIndex(i);
        ConnectionProfile p;
        p.name = m_settings->value(QStringLiteral("name")).toString();
        p.url = QUrl(m_settings->value(QStringLiteral("url")).toString());
        p.colour = QColor(m_settings->value(QStringLiteral("colour")).toString());
        p.production = m_settings->value(QStringLiteral("production")).toBool();
        p.readOnly = m_settings->value(QStringLiteral("readOnly")).toBool();
        p.plainToken = m_settings->value(QStringLiteral("plainToken")).toString();
        if (!p.name.isEmpty())
            out.append(p);
    }
    m_settings->endArray();
    return out;
}

std::optional<ConnectionProfile> ProfileStore::profile(const QString &name) const
{
    for (const ConnectionProfile &p : profiles()) {
        if (p.name == name)
            return p;
    }
    return std::nullopt;
}

QString ProfileStore::problem(const ConnectionProfile &profile)
{
    if (profile.name.trimmed().isEmpty())
        return QCoreApplication::translate("ProfileStore", "Give the profile a name.");
    if (profile.name.size() > kMaxNameChars)
        return QCoreApplication::translate("ProfileStore", "Profile names are at most %1 characters.").arg(kMaxNameChars);
    const QString scheme = profile.url.scheme();
    if (!profile.url.isValid() || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        || profile.url.host().isEmpty())
        return QCoreApplication::translate("ProfileStore", "The address must be http://host:port or https://host:port.");
    return {};
}

bool ProfileStore::save(const ConnectionProfile &profile, QString *error)
{
    if (const QString why = problem(profile); !why.isEmpty()) {
        *error = why;
        return false;
    }
    QList<ConnectionProfile> all = profiles();
    auto it = std::find_if(all.begin(), all.end(), [&](const ConnectionProfile &p) { return p.name == profile.name; });
    if (it != all.end()) {
        *it = profile;
    } else {
        if (all.size() >= kMaxProfiles) {
            *error = QCoreApplication::translate("ProfileStore", "At most %1 profiles; remove one first.").arg(kMaxProfiles);
            return false;
        }
        all.append(profile);
    }
    write(all);
    return true;
}

bool ProfileStore::remove(const QString &name)
{
    QList<ConnectionProfile> all = profiles();
    const qsizetype before = all.size();
    all.removeIf([&](const ConnectionProfile &p) { return p.name == name; });
    if (all.size() == before)
        return false;
    write(all);
    return true;
}

void ProfileStore::write(const QList<ConnectionProfile> &profiles)
{
    m_settings->remove(QStringLiteral("profiles"));
    m_settings->beginWriteArray(QStringLiteral("profiles"), int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        const ConnectionProfile &p = profiles.at(i);
        m_settings->setArrayIndex(i);
        m_settings->setValue(QStringLiteral("name"), p.name);
        m_settings->setValue(QStringLiteral("url"), p.url.toString());
        m_settings->setValue(QStringLiteral("colour"), p.colour.isValid() ? p.colour.name() : QString());
        m_settings->setValue(QStringLiteral("production"), p.production);
        m_settings->setValue(QStringLiteral("readOnly"), p.readOnly);
        // Nothing is written for the token unless the user chose plain text.
        if (!p.plainToken.isEmpty())
            m_settings->setValue(QStringLiteral("plainToken"), p.plainToken);
    }
    m_settings->endArray();
    m_settings->sync();
}

} // namespace Switchboard

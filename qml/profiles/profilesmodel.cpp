#include "profilesmodel.h"

#include <QtCore/QPointer>
#include <QtCore/QSettings>

#include "consolecontext.h"
#include "tokenvault.h"

namespace Switchboard {

ProfilesModel::ProfilesModel(QObject *parent)
    : QAbstractListModel(parent), m_store(std::make_unique<ProfileStore>()),
      m_ownVault(std::make_unique<KeychainVault>())
{
    m_vault = m_ownVault.get();
    reload();
}

ProfilesModel::ProfilesModel(QSettings *settings, TokenVault *vault, QObject *parent)
    : QAbstractListModel(parent), m_store(std::make_unique<ProfileStore>(settings)), m_vault(vault)
{
    reload();
}

ProfilesModel::~ProfilesModel() = default;

int ProfilesModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_profiles.size());
}

QVariant ProfilesModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const ConnectionProfile &p = m_profiles.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case NameRole: return p.name;
    case UrlRole: return p.url.toString();
    case ColourRole: return p.colour.isValid() ? p.colour.name() : QString();
    case ProductionRole: return p.production;
    case ReadOnlyRole: return p.readOnly;
    case PlainTokenRole: return !p.plainToken.isEmpty();
    }
    return {};
}

QHash<int, QByteArray> ProfilesModel::roleNames() const
{
    return {{NameRole, "name"}, {UrlRole, "url"}, {ColourRole, "colour"}, {ProductionRole, "production"},
            {ReadOnlyRole, "readOnly"}, {PlainTokenRole, "tokenInPlainText"}};
}

int ProfilesModel::rowOf(const QString &name) const
{
    for (int i = 0; i < m_profiles.size(); ++i) {
        if (m_profiles.at(i).name == name)
            return i;
    }
    return -1;
}

void ProfilesModel::reload()
{
    const int before = int(m_profiles.size());
    beginResetModel();
    m_profiles = m_store->profiles();
    endResetModel();
    if (before != m_profiles.size())
        Q_EMIT countChanged();
}

void ProfilesModel::setMessage(const QString &message, bool failed)
{
    m_message = message;
    m_failed = failed;
    Q_EMIT messageChanged();
}

void ProfilesModel::setKeychainMissing(bool missing)
{
    if (m_keychainMissing == missing)
        return;
    m_keychainMissing = missing;
    Q_EMIT keychainMissingChanged();
}

bool ProfilesModel::save(const QString &name, const QString &url, const QString &colour, bool production,
                         bool readOnly, const QString &token, bool allowPlainText)
{
    ConnectionProfile p;
    p.name = name.trimmed();
    p.url = QUrl(url.trimmed(), QUrl::StrictMode);
    p.colour = QColor(colour);
    p.production = production;
    p.readOnly = readOnly;
    if (const QString why = ProfileStore::problem(p); !why.isEmpty()) {
        setMessage(why, true);
        return false;
    }
    // Keep what was there for the token unless a new one is given.
    if (const auto old = m_store->profile(p.name); old && token.isEmpty())
        p.plainToken = old->plainToken;
    QString error;
    if (!m_store->save(p, &error)) {
        setMessage(error, true);
        return false;
    }
    reload();
    if (token.isEmpty()) {
        setMessage(tr("Profile %1 saved.").arg(p.name), false);
        Q_EMIT saved(p.name, true);
        return true;
    }
    ++m_busy;
    Q_EMIT busyChanged();
    const QPointer<ProfilesModel> guard(this);
    m_vault->writeToken(p.name, token, [guard, p, token, allowPlainText](const VaultResult &r) {
        if (!guard)
            return;
        --guard->m_busy;
        Q_EMIT guard->busyChanged();
        ConnectionProfile stored = p;
        QString ignored;
        if (r.ok) {
            // In the keychain now: no copy in the settings file.
            stored.plainToken.clear();
            guard->m_store->save(stored, &ignored);
            guard->reload();
            guard->setKeychainMissing(false);
            guard->setMessage(tr("Profile %1 saved; its token is in the system keychain.").arg(p.name), false);
            Q_EMIT guard->saved(p.name, true);
            return;
        }
        guard->setKeychainMissing(r.noKeychain);
        if (r.noKeychain && allowPlainText) {
            stored.plainToken = token;
            guard->m_store->save(stored, &ignored);
            guard->reload();
            guard->setMessage(tr("No keychain on this system: the token of %1 is saved in plain text in the "
                                 "console's settings file, as you asked.").arg(p.name), false);
            Q_EMIT guard->saved(p.name, true);
            return;
        }
        guard->setMessage(r.noKeychain
                              ? tr("No keychain on this system: profile %1 is saved without its token; you will be "
                                   "asked for it when you connect.").arg(p.name)
                              : tr("The keychain refused the token (%1); profile %2 is saved without it.").arg(r.error, p.name),
                          true);
        Q_EMIT guard->saved(p.name, false);
    });
    return true;
}

bool ProfilesModel::remove(const QString &name)
{
    if (!m_store->remove(name))
        return false;
    reload();
    m_vault->removeToken(name, [](const VaultResult &) {});
    setMessage(tr("Profile %1 removed.").arg(name), false);
    return true;
}

void ProfilesModel::connectProfile(const QString &name, const QString &token)
{
    const auto p = m_store->profile(name);
    if (!p) {
        setMessage(tr("There is no profile named %1.").arg(name), true);
        return;
    }
    if (!token.isEmpty())
        return attach(*p, token);
    if (!p->plainToken.isEmpty())
        return attach(*p, p->plainToken);
    ++m_busy;
    Q_EMIT busyChanged();
    const QPointer<ProfilesModel> guard(this);
    m_vault->readToken(name, [guard, profile = *p](const VaultResult &r) {
        if (!guard)
            return;
        --guard->m_busy;
        Q_EMIT guard->busyChanged();
        if (r.ok && !r.token.isEmpty())
            return guard->attach(profile, r.token);
        guard->setKeychainMissing(r.noKeychain);
        guard->setMessage(tr("No saved token for %1: enter it to connect.").arg(profile.name), true);
    });
}

bool ProfilesModel::connectTo(const QString &url, const QString &token)
{
    ConnectionProfile p;
    p.name = QStringLiteral("-");
    p.url = QUrl(url.trimmed(), QUrl::StrictMode);
    if (const QString why = ProfileStore::problem(p); !why.isEmpty()) {
        setMessage(why, true);
        return false;
    }
    if (token.isEmpty()) {
        setMessage(tr("Enter the admin token."), true);
        return false;
    }
    p.name.clear();
    attach(p, token);
    return true;
}

void ProfilesModel::attach(const ConnectionProfile &profile, const QString &token)
{
    setMessage(tr("Connecting to %1…").arg(profile.url.toString()), false);
    Q_EMIT connectRequested(profile, token);
    ConsoleContext::attach(profile, token);
}

} // namespace Switchboard

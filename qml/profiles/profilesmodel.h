#pragma once

#include <memory>

#include <QtCore/QAbstractListModel>
#include <QtCore/QUrl>
#include <QtQml/qqmlregistration.h>

#include "profilestore.h"

QT_BEGIN_NAMESPACE
class QSettings;
QT_END_NAMESPACE

namespace Switchboard {

class TokenVault;

/**
 * @brief The "Connect to server…" dialog's saved profiles, for QML.
 *
 * Profiles live in QSettings (ProfileStore), tokens in the OS keychain (TokenVault,
 * asynchronous). Where there is no keychain the token is kept only if the user ticks "store
 * in plain text"; otherwise it is not saved and the dialog asks for it on connect
 * (docs/console.md, "Tokens and the keychain").
 */
class ProfilesModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(QString message READ message NOTIFY messageChanged)
    Q_PROPERTY(bool failed READ failed NOTIFY messageChanged)
    Q_PROPERTY(bool keychainMissing READ keychainMissing NOTIFY keychainMissingChanged)
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)

public:
    enum Role { NameRole = Qt::UserRole + 1, UrlRole, ColourRole, ProductionRole, ReadOnlyRole, PlainTokenRole };
    Q_ENUM(Role)

    explicit ProfilesModel(QObject *parent = nullptr);
    /// Tests: profiles in @p settings, tokens in @p vault (neither owned).
    ProfilesModel(QSettings *settings, TokenVault *vault, QObject *parent = nullptr);
    ~ProfilesModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_profiles.size()); }
    QString message() const { return m_message; }
    bool failed() const { return m_failed; }
    bool keychainMissing() const { return m_keychainMissing; }
    bool busy() const { return m_busy > 0; }

    /**
     * Saves a profile. A non-empty @p token goes to the keychain; without one it is kept in
     * plain text only when @p allowPlainText. Returns false when the profile is not valid
     * (message says why); the keychain's outcome arrives later (saved()).
     */
    Q_INVOKABLE bool save(const QString &name, const QString &url, const QString &colour, bool production,
                          bool readOnly, const QString &token, bool allowPlainText);
    Q_INVOKABLE bool remove(const QString &name);
    /// Attaches the console to profile @p name with @p token, or the saved one when empty.
    Q_INVOKABLE void connectProfile(const QString &name, const QString &token = {});
    /// Attaches the console to @p url with @p token, without a profile.
    Q_INVOKABLE bool connectTo(const QString &url, const QString &token);
    Q_INVOKABLE int rowOf(const QString &name) const;

Q_SIGNALS:
    void countChanged();
    void messageChanged();
    void keychainMissingChanged();
    void busyChanged();
    /// The token of @p name is stored (keychain or plain text), or is not (@p ok false).
    void saved(const QString &name, bool ok);
    /// Everything needed to attach: the dialog's caller (ConsoleApp) does the attaching.
    void connectRequested(const ConnectionProfile &profile, const QString &token);

private:
    void reload();
    void setMessage(const QString &message, bool failed);
    void setKeychainMissing(bool missing);
    void attach(const ConnectionProfile &profile, const QString &token);

    std::unique_ptr<ProfileStore> m_store;
    TokenVault *m_vault = nullptr;
    std::unique_ptr<TokenVault> m_ownVault;
    QList<ConnectionProfile> m_profiles;
    QString m_message;
    bool m_failed = false;
    bool m_keychainMissing = false;
    int m_busy = 0;
};

} // namespace Switchboard

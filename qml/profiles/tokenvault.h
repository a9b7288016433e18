#pragma once

#include <functional>

#include <QtCore/QObject>
#include <QtCore/QString>

namespace Switchboard {

/// What a vault operation gave.
struct VaultResult
{
    bool ok = false;
    /// No keychain on this system (no Secret Service, no KWallet): nothing was stored or read.
    bool noKeychain = false;
    QString token;
    QString error;
};
using VaultCallback = std::function<void(const VaultResult &)>;

/**
 * @brief Where the console keeps admin tokens: an asynchronous store keyed by profile name.
 * The callbacks run on the caller's (GUI) thread, later, never inside the call.
 */
class TokenVault : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;
    virtual void readToken(const QString &profile, VaultCallback done) = 0;
    virtual void writeToken(const QString &profile, const QString &token, VaultCallback done) = 0;
    virtual void removeToken(const QString &profile, VaultCallback done) = 0;
};

/**
 * @brief The OS keychain through QtKeychain (Secret Service / KWallet on Linux, Keychain on
 * macOS, Credential Store on Windows). Without a keychain every call reports noKeychain;
 * built without QtKeychain, likewise.
 */
class KeychainVault final : public TokenVault
{
    Q_OBJECT

public:
    /// @p service names the entries ("switchboard-console"; tests use their own).
    explicit KeychainVault(const QString &service = QStringLiteral("switchboard-console"), QObject *parent = nullptr);

    void readToken(const QString &profile, VaultCallback done) override;
    void writeToken(const QString &profile, const QString &token, VaultCallback done) override;
    void removeToken(const QString &profile, VaultCallback done) override;

private:
    QString m_service;
};

} // namespace Switchboard

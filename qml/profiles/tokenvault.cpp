#include "tokenvault.h"

#include <QtCore/QPointer>
#include <QtCore/QTimer>

#ifdef SWITCHBOARD_HAVE_KEYCHAIN
#include <qt6keychain/keychain.h>
#endif

namespace Switchboard {

KeychainVault::KeychainVault(const QString &service, QObject *parent) : TokenVault(parent), m_service(service)
{
}

#ifdef SWITCHBOARD_HAVE_KEYCHAIN

namespace {

VaultResult resultOf(const QKeychain::Job *job)
{
    VaultResult r;
    r.ok = job->error() == QKeychain::NoError;
    // No backend, or one that cannot be reached: without a D-Bus session QtKeychain 0.13's
    // libsecret path fails with OtherError ("Unknown error"). Only a refusal by the user or the
    // keychain (access denied) and a missing entry mean there is a keychain.
    const QKeychain::Error e = job->error();
    r.noKeychain = e == QKeychain::NoBackendAvailable || e == QKeychain::NotImplemented || e == QKeychain::OtherError;
    r.error = r.ok ? QString() : job->errorString();
    return r;
}

template <typename Job>
void start(Job *job, const QObject *context, VaultCallback done)
{
    job->setAutoDelete(true);
    QObject::connect(job, &QKeychain::Job::finished, context, [done = std::move(done)](QKeychain::Job *finished) {
        VaultResult r = resultOf(finished);
        if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(finished); read && r.ok)
            r.token = read->textData();
        done(r);
    });
    job->start();
}

} // namespace

void KeychainVault::readToken(const QString &profile, VaultCallback done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service);
    job->setKey(profile);
    start(job, this, std::move(done));
}

void KeychainVault::writeToken(const QString &profile, const QString &token, VaultCallback done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service);
    job->setKey(profile);
    job->setTextData(token);
    start(job, this, std::move(done));
}

void KeychainVault::removeToken(const QString &profile, VaultCallback done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service);
    job->setKey(profile);
    start(job, this, std::move(done));
}

#else

namespace {
void noKeychain(QObject *context, VaultCallback done)
{
    QTimer::singleShot(0, context, [done = std::move(done)] {
        done(VaultResult{false, true, {}, QObject::tr("Built without QtKeychain.")});
    });
}
}

void KeychainVault::readToken(const QString &, VaultCallback done) { noKeychain(this, std::move(done)); }
void KeychainVault::writeToken(const QString &, const QString &, VaultCallback done) { noKeychain(this, std::move(done)); }
void KeychainVault::removeToken(const QString &, VaultCallback done) { noKeychain(this, std::move(done)); }

#endif

} // namespace Switchboard

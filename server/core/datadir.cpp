#include "datadir.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QRandomGenerator>
#include <QtCore/QStandardPaths>

namespace Switchboard {

QString defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) + QStringLiteral("/switchboard");
}

namespace {

bool loadOrCreate(const QString &path, QString *value, bool *created, QString *error)
{
    QFile file(path);
    if (file.exists()) {
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
            return false;
        }
        *value = QString::fromUtf8(file.readAll()).trimmed();
        if (!value->isEmpty())
            return true;
        file.close();
    }
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    *value = QString::fromLatin1(bytes.toHex());
    // Created owner-only (0600) from the start, not chmod-ed after (QFile::open with
    // permissions, Qt 6.3); an existing file is narrowed too.
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, QFile::ReadOwner | QFile::WriteOwner)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    file.write(value->toUtf8() + '\n');
    *created = true;
    return true;
}

} // namespace

bool prepareDataDir(ServerConfig *config, QString *error, QStringList *notes)
{
    if (config->dataDir.isEmpty())
        config->dataDir = defaultDataDir();
    if (!QDir().mkpath(config->dataDir)) {
        *error = QStringLiteral("cannot create data dir %1").arg(config->dataDir);
        return false;
    }
    const QDir dir(config->dataDir);
    bool created = false;
    if (config->jwtSecret.isEmpty()) {
        if (!loadOrCreate(dir.filePath(QStringLiteral("jwt-secret")), &config->jwtSecret, &created, error))
            return false;
        if (created && notes)
            *notes << QStringLiteral("generated a JWT secret in %1").arg(dir.filePath(QStringLiteral("jwt-secret")));
    }
    created = false;
    if (config->adminSecret.isEmpty()) {
        if (!loadOrCreate(dir.filePath(QStringLiteral("admin-secret")), &config->adminSecret, &created, error))
            return false;
        if (created && notes)
            *notes << QStringLiteral("generated an admin token secret in %1").arg(dir.filePath(QStringLiteral("admin-secret")));
    }
    if (config->adminSecret == config->jwtSecret) {
        *error = QStringLiteral("--admin-secret must differ from --jwt-secret: a client token must never pass as an admin token");
        return false;
    }
    created = false;
    if (config->internalKey.isEmpty() && config->adminToken.isEmpty()) {
        if (!loadOrCreate(dir.filePath(QStringLiteral("internal-key")), &config->internalKey, &created, error))
            return false;
        if (created && notes)
            *notes << QStringLiteral("generated an internal key in %1").arg(dir.filePath(QStringLiteral("internal-key")));
    }
    return true;
}

} // namespace Switchboard

#include "cli.h"

#include <cstdio>
#include <optional>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QJsonObject>

#include "admin/adminauth.h"
#include "admin/redisrevocations.h"
#include "auth/admintoken.h"
#include "auth/jwt.h"
#include "core/datadir.h"

namespace Switchboard::Cli {

namespace {

/// How long `admin-token --revoke` waits for Redis.
constexpr int kCliRedisTimeoutMs = 5000;

void print(FILE *stream, const QString &text)
{
    const QByteArray bytes = text.toLocal8Bit();
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stream);
    std::fflush(stream);
}

void addConfigOptions(QCommandLineParser &parser)
{
    for (const ConfigLoader::Option &option : ConfigLoader::options()) {
        parser.addOption(QCommandLineOption(option.name,
            option.description + QStringLiteral(" [env %1]").arg(ConfigLoader::envName(option.name)),
            option.valueName));
    }
}

QHash<QString, QString> flagsOf(const QCommandLineParser &parser)
{
    QHash<QString, QString> flags;
    for (const ConfigLoader::Option &option : ConfigLoader::options()) {
        if (!parser.isSet(option.name))
            continue;
        // A switch is "true"; an option given more than once is a comma-separated list.
        flags.insert(option.name, option.valueName.isEmpty() ? QStringLiteral("true")
                                                            : parser.values(option.name).join(QLatin1Char(',')));
    }
    return flags;
}

} // namespace

bool wantsGui(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--headless" || arg == "--help" || arg == "-h" || arg == "--version" || arg == "-v"
            || (i == 1 && (arg == "token" || arg == "admin-token")))
            return false;
    }
    return true;
}

Invocation parse(const QStringList &arguments)
{
    Invocation result;
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Switchboard: realtime event server with an operator console.\n\n"
        "  switchboard                 console with the embedded server\n"
        "  switchboard --headless      server only, no GUI\n"
        "  switchboard --connect http://host:port --admin-token T\n"
        "                              console attached to a remote node, no embedded server\n"
        "  switchboard token --user ID [--role R] [--rooms a,b] [--ttl S]\n"
        "                              print a signed dev token\n"
        "  switchboard admin-token --role viewer|operator|admin --name NAME [--ttl 8h]\n"
        "                              print an admin token (signed with --admin-secret)\n"
        "  switchboard admin-token --revoke JTI [--redis URL]\n"
        "                              revoke an admin token (the running server picks it up;\n"
        "                              with --redis every node of the cluster)\n\n"
        "Every option can also come from SWITCHBOARD_<NAME> or a JSON --config file;\n"
        "precedence: flag > environment > file > default."));
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")}, QStringLiteral("Show the version."));
    const QCommandLineOption headless(QStringLiteral("headless"), QStringLiteral("Run the server without a GUI."));
    parser.addOption(help);
    parser.addOption(version);
    const QCommandLineOption connect(QStringLiteral("connect"),
        QStringLiteral("Open the console on the remote node at URL (http://host:port) over its admin channel, "
                       "with --admin-token as the credential; no server is started here."),
        QStringLiteral("url"));
    parser.addOption(headless);
    parser.addOption(connect);
    addConfigOptions(parser);
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("Optional: token"));

    if (arguments.value(1) == QLatin1String("token")) {
        result.mode = Invocation::Mode::Token;
        return result;
    }
    if (arguments.value(1) == QLatin1String("admin-token")) {
        result.mode = Invocation::Mode::AdminToken;
        return result;
    }
    if (!parser.parse(arguments)) {
        print(stderr, parser.errorText() + QStringLiteral("\nRun switchboard --help for the options.\n"));
        result.mode = Invocation::Mode::Exit;
        result.exitCode = 2;
        return result;
    }
    if (parser.isSet(help)) {
        print(stdout, parser.helpText());
        result.mode = Invocation::Mode::Exit;
        return result;
    }
    if (parser.isSet(version)) {
        print(stdout, QStringLiteral("switchboard %1 (Qt %2)\n").arg(QStringLiteral(SWITCHBOARD_VERSION), QString::fromLatin1(qVersion())));
        result.mode = Invocation::Mode::Exit;
        return result;
    }
    if (!parser.positionalArguments().isEmpty()) {
        print(stderr, QStringLiteral("unknown command \"%1\"\nRun switchboard --help for usage.\n").arg(parser.positionalArguments().first()));
        result.mode = Invocation::Mode::Exit;
        result.exitCode = 2;
        return result;
    }
    QString error;
    result.flags = flagsOf(parser);
    if (!ConfigLoader::load(result.flags, ConfigLoader::systemEnvironment(), &result.config, &error)) {
        print(stderr, QStringLiteral("switchboard: %1\n").arg(error));
        result.mode = Invocation::Mode::Exit;
        result.exitCode = 2;
        return result;
    }
    result.mode = parser.isSet(headless) ? Invocation::Mode::Headless : Invocation::Mode::Gui;
    if (parser.isSet(connect)) {
        const auto refuse = [&result](const QString &why) {
            print(stderr, QStringLiteral("switchboard: %1\n").arg(why));
            result.mode = Invocation::Mode::Exit;
            result.exitCode = 2;
            return result;
        };
        if (parser.isSet(headless))
            return refuse(QStringLiteral("--connect opens the console; it cannot be combined with --headless"));
        const QUrl url(parser.value(connect), QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
            || url.host().isEmpty())
            return refuse(QStringLiteral("--connect needs the node's address as http://host:port (or https://), not \"%1\"")
                              .arg(parser.value(connect)));
        if (result.config.adminToken.isEmpty())
            return refuse(QStringLiteral("--connect needs an admin token: --admin-token T or SWITCHBOARD_ADMIN_TOKEN"));
        result.connectUrl = url;
    }
    return result;
}

int runToken(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Prints an HS256 token signed with the server's secret."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("user"), QStringLiteral("User id (sub claim)."), QStringLiteral("id")});
    parser.addOption({QStringLiteral("role"), QStringLiteral("Role claim."), QStringLiteral("role")});
    parser.addOption({QStringLiteral("rooms"), QStringLiteral("Comma-separated rooms claim."), QStringLiteral("a,b")});
    parser.addOption({QStringLiteral("ttl"), QStringLiteral("Lifetime in seconds (default 86400)."), QStringLiteral("s"), QStringLiteral("86400")});
    addConfigOptions(parser);
    QStringList args = arguments;
    args.removeAt(1); // "token"
    if (!parser.parse(args)) {
        print(stderr, parser.errorText() + QLatin1Char('\n'));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        print(stdout, parser.helpText());
        return 0;
    }
    if (!parser.isSet(QStringLiteral("user")) || parser.value(QStringLiteral("user")).isEmpty()) {
        print(stderr, QStringLiteral("switchboard token: --user is required\n"));
        return 2;
    }
    bool ok = false;
    const qint64 ttl = parser.value(QStringLiteral("ttl")).toLongLong(&ok);
    if (!ok || ttl <= 0) {
        print(stderr, QStringLiteral("switchboard token: --ttl must be a positive number of seconds\n"));
        return 2;
    }
    ServerConfig config;
    QString error;
    if (!ConfigLoader::load(flagsOf(parser), ConfigLoader::systemEnvironment(), &config, &error)
        || !prepareDataDir(&config, &error)) {
        print(stderr, QStringLiteral("switchboard token: %1\n").arg(error));
        return 2;
    }
    const QStringList rooms = parser.value(QStringLiteral("rooms")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const QString user = parser.value(QStringLiteral("user"));
    const QByteArray secret = config.jwtSecret.toUtf8();
    QByteArray token = Jwt::mint(user, parser.value(QStringLiteral("role")), rooms, ttl, secret);
    // With --user-id-claim (e.g. _id) the server reads the id from that claim: put it there too.
    const QString idClaim = config.userIdClaims.value(0, QStringLiteral("sub"));
    if (idClaim != QLatin1String("sub")) {
        QJsonObject claims = Jwt::verify(token, secret).claims;
        claims.insert(idClaim, user);
        token = Jwt::sign(claims, secret);
    }
    print(stdout, QString::fromLatin1(token) + QLatin1Char('\n'));
    return 0;
}

int runAdminToken(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Prints an admin token signed with the admin secret (--admin-secret, or the one kept in the\n"
        "data dir), or revokes one. The token alone goes to stdout; its id (jti) to stderr."));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("role"), QStringLiteral("viewer, operator or admin."), QStringLiteral("role")});
    parser.addOption({QStringLiteral("name"), QStringLiteral("Who holds the token (sub claim; shown in the audit log)."), QStringLiteral("name")});
    parser.addOption({QStringLiteral("ttl"), QStringLiteral("Lifetime: 30m, 8h, 7d ... from 1m to 90d (default 8h)."), QStringLiteral("duration"), QStringLiteral("8h")});
    parser.addOption({QStringLiteral("revoke"), QStringLiteral("Revoke the token with this id instead of minting one (with --redis, in the whole cluster)."), QStringLiteral("jti")});
    parser.addOption({QStringLiteral("exp"), QStringLiteral("With --revoke and --redis: the token's expiry (seconds since the epoch), until which the cluster keeps the revocation (default: 90 days)."), QStringLiteral("seconds")});
    addConfigOptions(parser);
    QStringList args = arguments;
    args.removeAt(1); // "admin-token"
    const QString me = QStringLiteral("switchboard admin-token");
    if (!parser.parse(args)) {
        print(stderr, parser.errorText() + QLatin1Char('\n'));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        print(stdout, parser.helpText());
        return 0;
    }
    ServerConfig config;
    QString error;
    if (!ConfigLoader::load(flagsOf(parser), ConfigLoader::systemEnvironment(), &config, &error)
        || !prepareDataDir(&config, &error)) {
        print(stderr, QStringLiteral("%1: %2\n").arg(me, error));
        return 2;
    }
    if (parser.isSet(QStringLiteral("revoke"))) {
        const QString jti = parser.value(QStringLiteral("revoke")).trimmed();
        if (jti.isEmpty() || jti.size() > AdminAuth::kMaxJtiLength) {
            print(stderr, QStringLiteral("%1: --revoke needs a token id (jti, 1-%2 characters)\n").arg(me).arg(AdminAuth::kMaxJtiLength));
            return 2;
        }
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        qint64 exp = now + AdminToken::kMaxTtlSeconds;
        if (parser.isSet(QStringLiteral("exp"))) {
            bool ok = false;
            exp = parser.value(QStringLiteral("exp")).toLongLong(&ok);
            if (!ok || exp <= 0 || exp > now + AdminToken::kMaxTtlSeconds + 86400) {
                print(stderr, QStringLiteral("%1: --exp must be the token's expiry in seconds since the epoch\n").arg(me));
                return 2;
            }
        }
        std::optional<RedisUrl> redis;
        if (!config.redisUrl.isEmpty()) {
            redis = RedisUrl::parse(config.redisUrl, &error);
            if (!redis) {
                print(stderr, QStringLiteral("%1: --redis: %2\n").arg(me, error));
                return 2;
            }
        }
        const QString path = AdminAuth::revocationsPath(config.dataDir);
        if (!AdminAuth::appendRevocation(path, jti, QStringLiteral("cli"), &error)) {
            print(stderr, QStringLiteral("%1: %2\n").arg(me, error));
            return 1;
        }
        print(stderr, QStringLiteral("revoked %1 in %2; a running server picks it up within a second\n").arg(jti, path));
        if (redis) {
            // A cluster: every node refuses the token once Redis has it (docs/operations.md).
            if (!RedisRevocations::revokeBlocking(*redis, config.redisKey, jti, exp, kCliRedisTimeoutMs, &error)) {
                print(stderr, QStringLiteral("%1: the revocation did not reach the cluster (Redis %2): %3\n")
                                  .arg(me, redis->display(), error));
                return 1;
            }
            print(stderr, QStringLiteral("revoked %1 in the cluster (Redis %2, key %3): every node refuses it\n")
                              .arg(jti, redis->display(), config.redisKey));
        }
        return 0;
    }
    AdminRole role = AdminRole::None;
    if (!parseAdminRole(parser.value(QStringLiteral("role")), &role)) {
        print(stderr, QStringLiteral("%1: --role must be viewer, operator or admin\n").arg(me));
        return 2;
    }
    const QString name = parser.value(QStringLiteral("name")).trimmed();
    if (name.isEmpty() || name.size() > AdminToken::kMaxNameLength) {
        print(stderr, QStringLiteral("%1: --name is required (1-%2 characters)\n").arg(me).arg(AdminToken::kMaxNameLength));
        return 2;
    }
    const qint64 ttl = AdminToken::parseTtl(parser.value(QStringLiteral("ttl")), &error);
    if (ttl < 0) {
        print(stderr, QStringLiteral("%1: %2\n").arg(me, error));
        return 2;
    }
    QString jti;
    const QByteArray token = AdminToken::mint(role, name, ttl, config.adminSecret.toUtf8(), &jti);
    print(stdout, QString::fromLatin1(token) + QLatin1Char('\n'));
    print(stderr, QStringLiteral("jti %1 (revoke with: switchboard admin-token --revoke %1)\n").arg(jti));
    return 0;
}

} // namespace Switchboard::Cli

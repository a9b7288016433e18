// Unit tests for Switchboard::ConfigLoader: precedence flag > env > file > default, file key
// spellings, validation.
#include <algorithm>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include "cluster/redislink.h"
#include "core/config.h"
#include "core/livelimits.h"

using Switchboard::ConfigLoader;
using Switchboard::LiveLimits;
using Switchboard::RedisUrl;
using Switchboard::ServerConfig;

using Strings = QHash<QString, QString>;

class tst_Config : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void defaults();
    void precedence_data();
    void precedence();
    void fileKeySpellings_data();
    void fileKeySpellings();
    void fileValueTypes();
    void configFileFromEnv();
    void flagConfigFileWinsOverEnv();
    void badValues_data();
    void badValues();
    void badFiles_data();
    void badFiles();
    void rateBurstFollowsRateLimit_data();
    void rateBurstFollowsRateLimit();
    void lists();
    void envName_data();
    void envName();
    void optionsHaveEnvAndHelp();
    void logLevel_data();
    void logLevel();
    void liveLimitsApply();
    void effectiveThreads();
    void amqp();
    void envAliases();
    void migrationOptions();
    void webhooks();
    void webhookBadValues_data();
    void webhookBadValues();

private:
    QString writeFile(const QByteArray &contents);
    QTemporaryDir m_dir;
    int m_files = 0;
};

QString tst_Config::writeFile(const QByteArray &contents)
{
    const QString path = m_dir.filePath(QStringLiteral("config-%1.json").arg(++m_files));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(contents) != contents.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void tst_Config::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void tst_Config::defaults()
{
    ServerConfig c;
    c.port = 1; // must be overwritten by the defaults
    QString error;
    QVERIFY2(ConfigLoader::load({}, {}, &c, &error), qPrintable(error));
    QCOMPARE(c.host, QStringLiteral("127.0.0.1"));
    QCOMPARE(c.port, quint16(8080));
    QCOMPARE(c.maxConnections, 10000);
    QCOMPARE(c.heartbeatIntervalMs, 25000);
    QCOMPARE(c.heartbeatTimeoutMs, 60000);
    QCOMPARE(c.maxMessageSize, qint64(1024 * 1024));
    QCOMPARE(c.rateLimit, 100.0);
    QCOMPARE(c.rateBurst, 200.0);
    QCOMPARE(c.logFormat, QStringLiteral("text"));
    QCOMPARE(c.threads, 0);
    QVERIFY(c.jwtSecret.isEmpty());
    QVERIFY(c.claimRooms.isEmpty());
    QVERIFY(c.clientQueues.isEmpty()); // clients consume only existing queues
    QCOMPARE(c.queueIdleTtlMs, qint64(3600000));
    QCOMPARE(c.maxRoomsPerConnection, 1000);
    QCOMPARE(c.maxPendingSessions, 1000);
    QCOMPARE(c.socketioRecoveryMaxBytes, qint64(64 * 1024 * 1024));
    QCOMPARE(c.heapTrimIntervalSeconds, 30);
    QVERIFY(error.isEmpty());
}

void tst_Config::precedence_data()
{
    QTest::addColumn<bool>("flag");
    QTest::addColumn<bool>("env");
    QTest::addColumn<bool>("file");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("host");

    // Each source sets a distinct port and host; the expected one wins.
    QTest::addRow("default only") << false << false << false << 8080 << "127.0.0.1";
    QTest::addRow("file") << false << false << true << 3000 << "10.0.0.3";
    QTest::addRow("env over file") << false << true << true << 2000 << "10.0.0.2";
    QTest::addRow("env without file") << false << true << false << 2000 << "10.0.0.2";
    QTest::addRow("flag over env and file") << true << true << true << 1000 << "10.0.0.1";
    QTest::addRow("flag over file") << true << false << true << 1000 << "10.0.0.1";
    QTest::addRow("flag alone") << true << false << false << 1000 << "10.0.0.1";
}

void tst_Config::precedence()
{
    QFETCH(bool, flag);
    QFETCH(bool, env);
    QFETCH(bool, file);
    QFETCH(int, port);
    QFETCH(QString, host);

    Strings flags, environment;
    if (file)
        flags.insert(QStringLiteral("config"), writeFile(R"({"port": 3000, "host": "10.0.0.3", "maxConnections": 33})"));
    if (env) {
        environment.insert(QStringLiteral("SWITCHBOARD_PORT"), QStringLiteral("2000"));
        environment.insert(QStringLiteral("SWITCHBOARD_HOST"), QStringLiteral("10.0.0.2"));
    }
    if (flag) {
        flags.insert(QStringLiteral("port"), QStringLiteral("1000"));
        flags.insert(QStringLiteral("host"), QStringLiteral("10.0.0.1"));
    }
    environment.insert(QStringLiteral("PORT"), QStringLiteral("9")); // unrelated variables are ignored

    ServerConfig c;
    QString error;
    QVERIFY2(ConfigLoader::load(flags, environment, &c, &error), qPrintable(error));
    QCOMPARE(int(c.port), port);
    QCOMPARE(c.host, host);
    // An option set only in the file still comes from the file when others override it.
    QCOMPARE(c.maxConnections, file ? 33 : 10000);
}

void tst_Config::fileKeySpellings_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addRow("kebab") << QByteArray(R"({"max-connections": 5, "heartbeat-interval": 1000, "jwt-secret": "s"})");
    QTest::addRow("camelCase") << QByteArray(R"({"maxConnections": 5, "heartbeatInterval": 1000, "jwtSecret": "s"})");
    QTest::addRow("snake_case") << QByteArray(R"({"max_connections": 5, "heartbeat_interval": 1000, "jwt_secret": "s"})");
    QTest::addRow("mixed") << QByteArray(R"({"max-connections": 5, "heartbeatInterval": 1000, "jwt_secret": "s"})");
}

void tst_Config::fileKeySpellings()
{
    QFETCH(QByteArray, json);
    ServerConfig c;
    QString error;
    QVERIFY2(ConfigLoader::load({{QStringLiteral("config"), writeFile(json)}}, {}, &c, &error), qPrintable(error));
    QCOMPARE(c.maxConnections, 5);
    QCOMPARE(c.heartbeatIntervalMs, 1000);
    QCOMPARE(c.jwtSecret, QStringLiteral("s"));
}

void tst_Config::fileValueTypes()
{
    // Numbers may be written as JSON numbers or strings; lists as arrays or comma strings.
    const QString path = writeFile(R"({
        "port": "8123", "rateLimit": 2.5, "maxMessageSize": 65536, "threads": 3,
        "claimRooms": ["company:{companyId}", "shop:{shopIds[]}"], "allowedRooms": "order:*, chat:*",
        "logFormat": "json", "internalKey": "ik", "adminToken": "at", "dataDir": "/tmp/x",
        "heartbeatTimeout": 3000, "handshakeTimeout": 500, "maxPendingBytes": 2048, "lang": "de",
        "redis": "redis://:pw@localhost:6380/2", "redisKey": "app", "nodeName": "n1", "clusterHeartbeat": 1000
    })");
    ServerConfig c;
    QString error;
    QVERIFY2(ConfigLoader::load({{QStringLiteral("config"), path}}, {}, &c, &error), qPrintable(error));
    QCOMPARE(c.port, quint16(8123));
    QCOMPARE(c.rateLimit, 2.5);
    QCOMPARE(c.rateBurst, 5.0);
    QCOMPARE(c.maxMessageSize, qint64(65536));
    QCOMPARE(c.threads, 3);
    QCOMPARE(c.claimRooms, (QStringList{"company:{companyId}", "shop:{shopIds[]}"}));
    QCOMPARE(c.allowedRooms, (QStringList{"order:*", "chat:*"}));
    QCOMPARE(c.logFormat, QStringLiteral("json"));
    QCOMPARE(c.internalKey, QStringLiteral("ik"));
    QCOMPARE(c.adminToken, QStringLiteral("at"));
    QCOMPARE(c.dataDir, QStringLiteral("/tmp/x"));
    QCOMPARE(c.heartbeatTimeoutMs, 3000);
    QCOMPARE(c.handshakeTimeoutMs, 500);
    QCOMPARE(c.maxPendingBytes, qint64(2048));
    QCOMPARE(c.lang, QStringLiteral("de"));
    QCOMPARE(c.redisUrl, QStringLiteral("redis://:pw@localhost:6380/2"));
    QCOMPARE(c.redisKey, QStringLiteral("app"));
    QCOMPARE(c.nodeName, QStringLiteral("n1"));
    QCOMPARE(c.clusterHeartbeatMs, 1000);
    const auto url = RedisUrl::parse(c.redisUrl);
    QVERIFY(url);
    QCOMPARE(url->host, QStringLiteral("localhost"));
    QCOMPARE(url->port, quint16(6380));
    QCOMPARE(url->password, QByteArray("pw"));
    QCOMPARE(url->db, 2);
    QVERIFY(!url->display().contains(QLatin1String("pw")));
}

void tst_Config::configFileFromEnv()
{
    const QString path = writeFile(R"({"port": 4444, "internalKey": "from-file"})");
    ServerConfig c;
    QString error;
    QVERIFY2(ConfigLoader::load({}, {{QStringLiteral("SWITCHBOARD_CONFIG"), path},
                                     {QStringLiteral("SWITCHBOARD_INTERNAL_KEY"), QStringLiteral("from-env")}},
                                &c, &error), qPrintable(error));
    QCOMPARE(c.port, quint16(4444));
    QCOMPARE(c.internalKey, QStringLiteral("from-env"));
}

void tst_Config::flagConfigFileWinsOverEnv()
{
    const QString flagFile = writeFile(R"({"port": 1111})");
    const QString envFile = writeFile(R"({"port": 2222})");
    ServerConfig c;
    QString error;
    QVERIFY2(ConfigLoader::load({{QStringLiteral("config"), flagFile}},
                                {{QStringLiteral("SWITCHBOARD_CONFIG"), envFile}}, &c, &error), qPrintable(error));
    QCOMPARE(c.port, quint16(1111));
}

void tst_Config::badValues_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("value");

    QTest::addRow("port not a number") << "port" << "http";
    QTest::addRow("log-connections unknown format") << "log-connections" << "yaml";
    QTest::addRow("max-ack-wait-ms zero") << "max-ack-wait-ms" << "0";
    QTest::addRow("max-ack-bytes tiny") << "max-ack-bytes" << "10";
    QTest::addRow("max-presence-subscriptions zero") << "max-presence-subscriptions" << "0";
    QTest::addRow("presence-event-rate under one") << "presence-event-rate" << "0.5";
    QTest::addRow("port negative") << "port" << "-1";
    QTest::addRow("port too large") << "port" << "65536";
    QTest::addRow("max-connections zero") << "max-connections" << "0";
    QTest::addRow("max-connections text") << "max-connections" << "many";
    QTest::addRow("max-connections overflow") << "max-connections" << "99999999999";
    QTest::addRow("heartbeat-interval fractional") << "heartbeat-interval" << "2.5";
    QTest::addRow("heartbeat-timeout tiny") << "heartbeat-timeout" << "1";
    QTest::addRow("max-message-size tiny") << "max-message-size" << "10";
    QTest::addRow("max-message-size text") << "max-message-size" << "1MiB";
    QTest::addRow("rate-limit zero") << "rate-limit" << "0";
    QTest::addRow("rate-limit text") << "rate-limit" << "fast";
    QTest::addRow("rate-limit nan") << "rate-limit" << "nan";
    QTest::addRow("rate-limit inf") << "rate-limit" << "inf";
    QTest::addRow("rate-burst zero") << "rate-burst" << "0";
    QTest::addRow("threads negative") << "threads" << "-2";
    QTest::addRow("heap-trim-interval negative") << "heap-trim-interval" << "-1";
    QTest::addRow("heap-trim-interval text") << "heap-trim-interval" << "hourly";
    QTest::addRow("log-format") << "log-format" << "xml";
    QTest::addRow("handshake-timeout empty") << "handshake-timeout" << "";
    QTest::addRow("client-queues with a space") << "client-queues" << "booking *";
    QTest::addRow("client-queues with a slash") << "client-queues" << "a/b";
    QTest::addRow("queue-idle-ttl negative") << "queue-idle-ttl" << "-1";
    QTest::addRow("max-rooms-per-connection zero") << "max-rooms-per-connection" << "0";
    QTest::addRow("max-pending-sessions zero") << "max-pending-sessions" << "0";
    QTest::addRow("socketio-recovery-max-bytes tiny") << "socketio-recovery-max-bytes" << "100";
    QTest::addRow("recovery-stream-max-len zero") << "recovery-stream-max-len" << "0";
    QTest::addRow("recovery-stream-max-age negative") << "recovery-stream-max-age" << "-1";
    QTest::addRow("recovery-stream-max-bytes tiny") << "recovery-stream-max-bytes" << "1000";
    QTest::addRow("recovery-stream-max-bytes text") << "recovery-stream-max-bytes" << "64MiB";
    QTest::addRow("recovery-replay-max-bytes tiny") << "recovery-replay-max-bytes" << "100";
    QTest::addRow("recovery-replay-max-bytes text") << "recovery-replay-max-bytes" << "lots";
    QTest::addRow("claim-rooms two lists") << "claim-rooms" << "{region[]}:{shopIds[]}";
    QTest::addRow("claim-rooms unclosed") << "claim-rooms" << "shop:{shopIds";
    QTest::addRow("claim-rooms stray close") << "claim-rooms" << "shop:}x";
    QTest::addRow("claim-rooms nested") << "claim-rooms" << "{a{b}}";
    QTest::addRow("claim-rooms empty placeholder") << "claim-rooms" << "shop:{}";
    QTest::addRow("claim-rooms empty list placeholder") << "claim-rooms" << "shop:{[]}";
    QTest::addRow("redis wrong scheme") << "redis" << "http://localhost:6379";
    QTest::addRow("redis user name") << "redis" << "redis://user:pw@localhost:6379";
    QTest::addRow("redis bad port") << "redis" << "redis://localhost:99999";
    QTest::addRow("redis bad db") << "redis" << "redis://localhost:6379/x";
    QTest::addRow("redis no host") << "redis" << "redis://:6379";
    QTest::addRow("redis-key with #") << "redis-key" << "a#b";
    QTest::addRow("redis-key empty") << "redis-key" << "";
    QTest::addRow("cluster-heartbeat tiny") << "cluster-heartbeat" << "10";
    QTest::addRow("amqp wrong scheme") << "amqp" << "http://localhost:5672";
    QTest::addRow("amqp bad port") << "amqp" << "amqp://localhost:port/";
    QTest::addRow("amqp-bindings missing file") << "amqp-bindings" << "/nonexistent/bindings.json";
    QTest::addRow("user-id-claim empty list") << "user-id-claim" << ",";
    QTest::addRow("auth-grace-ms negative") << "auth-grace-ms" << "-1";
    QTest::addRow("claim-rooms-query token") << "claim-rooms-query" << "token";
    QTest::addRow("claim-rooms-query sub") << "claim-rooms-query" << "user_type,sub";
    QTest::addRow("claim-rooms-query space") << "claim-rooms-query" << "user type";
    QTest::addRow("claim-rooms-query empty values") << "claim-rooms-query" << "user_type=";
    QTest::addRow("claim-rooms-query value with colon") << "claim-rooms-query" << "user_type=driver|ri:der";
    QTest::addRow("claim-rooms-query sub with values") << "claim-rooms-query" << "sub=a|b";
    QTest::addRow("relay-room-key empty") << "relay-room-key" << "";
    QTest::addRow("socketio-connected-event reserved") << "socketio-connected-event" << "connect";
    QTest::addRow("socketio-connected-event empty") << "socketio-connected-event" << "";
    QTest::addRow("connect-error-messages not JSON") << "connect-error-messages" << "4001=nope";
    QTest::addRow("connect-error-messages array") << "connect-error-messages" << "[1]";
    QTest::addRow("connect-error-messages key") << "connect-error-messages" << R"({"auth":"x"})";
    QTest::addRow("connect-error-messages value") << "connect-error-messages" << R"({"4001":5})";
}

void tst_Config::badValues()
{
    QFETCH(QString, option);
    QFETCH(QString, value);

    // The same bad value is refused whichever source it comes from.
    const QByteArray fileJson = QJsonDocument(QJsonObject{{option, value}}).toJson();
    const QList<std::pair<Strings, Strings>> sources = {
        {{{option, value}}, {}},
        {{}, {{ConfigLoader::envName(option), value}}},
        {{{QStringLiteral("config"), writeFile(fileJson)}}, {}},
    };
    for (const auto &[flags, env] : sources) {
        ServerConfig c;
        QString error;
        QVERIFY2(!ConfigLoader::load(flags, env, &c, &error),
                 qPrintable(QStringLiteral("accepted %1=%2 (port %3)").arg(option, value).arg(c.port)));
        QVERIFY2(error.contains(option), qPrintable(error));
    }
}

void tst_Config::badFiles_data()
{
    QTest::addColumn<QByteArray>("contents"); // empty: file does not exist
    QTest::addRow("missing file") << QByteArray();
    QTest::addRow("not JSON") << QByteArray("port = 8080\n");
    QTest::addRow("JSON array") << QByteArray("[1, 2]");
    QTest::addRow("truncated") << QByteArray(R"({"port": 80)");
}

void tst_Config::badFiles()
{
    QFETCH(QByteArray, contents);
    const QString path = contents.isEmpty() ? m_dir.filePath(QStringLiteral("does-not-exist.json")) : writeFile(contents);
    ServerConfig c;
    c.port = 1234;
    QString error;
    QVERIFY(!ConfigLoader::load({{QStringLiteral("config"), path}}, {}, &c, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QCOMPARE(c.port, quint16(1234)); // untouched on failure
}

void tst_Config::rateBurstFollowsRateLimit_data()
{
    QTest::addColumn<Strings>("flags");
    QTest::addColumn<Strings>("env");
    QTest::addColumn<double>("rate");
    QTest::addColumn<double>("burst");

    QTest::addRow("defaults") << Strings{} << Strings{} << 100.0 << 200.0;
    QTest::addRow("rate only") << Strings{{"rate-limit", "10"}} << Strings{} << 10.0 << 20.0;
    QTest::addRow("rate from env") << Strings{} << Strings{{"SWITCHBOARD_RATE_LIMIT", "7"}} << 7.0 << 14.0;
    QTest::addRow("burst only") << Strings{{"rate-burst", "50"}} << Strings{} << 100.0 << 50.0;
    QTest::addRow("both") << Strings{{"rate-limit", "10"}, {"rate-burst", "3"}} << Strings{} << 10.0 << 3.0;
    QTest::addRow("rate flag, burst env") << Strings{{"rate-limit", "10"}} << Strings{{"SWITCHBOARD_RATE_BURST", "4"}} << 10.0 << 4.0;
}

void tst_Config::rateBurstFollowsRateLimit()
{
    QFETCH(Strings, flags);
    QFETCH(Strings, env);
    QFETCH(double, rate);
    QFETCH(double, burst);
    ServerConfig c;
    QString error;
    QVERIFY2(ConfigLoader::load(flags, env, &c, &error), qPrintable(error));
    QCOMPARE(c.rateLimit, rate);
    QCOMPARE(c.rateBurst, burst);
}

void tst_Config::lists()
{
    ServerConfig c;
    QString error;
    QVERIFY(ConfigLoader::load({{QStringLiteral("claim-rooms"), QStringLiteral(" company:{companyId} ,,shop:{shopIds[]},")}},
                               {{QStringLiteral("SWITCHBOARD_ALLOWED_ROOMS"), QStringLiteral("order:*")}}, &c, &error));
    QCOMPARE(c.claimRooms, (QStringList{"company:{companyId}", "shop:{shopIds[]}"}));
    QCOMPARE(c.allowedRooms, QStringList{"order:*"});
    QVERIFY(ConfigLoader::load({{QStringLiteral("client-queues"), QStringLiteral("booking_*, mail.?,")}}, {}, &c, &error));
    QCOMPARE(c.clientQueues, (QStringList{"booking_*", "mail.?"}));
    // Back-end hooks (docs/hooks.md).
    QVERIFY(ConfigLoader::load({{QStringLiteral("presence-rooms"), QStringLiteral("chat:*, booking:*")},
                                {QStringLiteral("log-connections"), QStringLiteral("json")}}, {}, &c, &error));
    QCOMPARE(c.presenceRooms, (QStringList{"chat:*", "booking:*"}));
    QCOMPARE(c.logConnections, QStringLiteral("json"));
    QVERIFY(ConfigLoader::load({}, {{QStringLiteral("SWITCHBOARD_LOG_CONNECTIONS"), QStringLiteral("true")}}, &c, &error));
    QCOMPARE(c.logConnections, QStringLiteral("text"));
    QVERIFY(ConfigLoader::load({{QStringLiteral("log-connections"), QStringLiteral("off")}}, {}, &c, &error));
    QCOMPARE(c.logConnections, QString());
}

void tst_Config::envName_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("env");
    QTest::addRow("simple") << "port" << "SWITCHBOARD_PORT";
    QTest::addRow("dashes") << "max-connections" << "SWITCHBOARD_MAX_CONNECTIONS";
    QTest::addRow("jwt") << "jwt-secret" << "SWITCHBOARD_JWT_SECRET";
}

void tst_Config::envName()
{
    QFETCH(QString, option);
    QFETCH(QString, env);
    QCOMPARE(ConfigLoader::envName(option), env);
}

void tst_Config::optionsHaveEnvAndHelp()
{
    QSet<QString> names;
    for (const ConfigLoader::Option &option : ConfigLoader::options()) {
        QVERIFY2(!option.description.isEmpty(), qPrintable(option.name));
        QVERIFY2(!names.contains(option.name), qPrintable(option.name));
        names.insert(option.name);
    }
    // SPEC section 1 names these; each must be a known option.
    for (const char *name : {"host", "port", "jwt-secret", "internal-key", "admin-token", "data-dir",
                             "max-connections", "heartbeat-interval", "heartbeat-timeout", "max-message-size",
                             "rate-limit", "redis", "log-format", "lang", "threads", "config"})
        QVERIFY2(names.contains(QLatin1String(name)), name);

    // Every listed option is actually read: set it through the environment and see it change.
    ServerConfig c;
    QString error;
    QVERIFY(ConfigLoader::load({}, {{QStringLiteral("SWITCHBOARD_THREADS"), QStringLiteral("6")},
                                    {QStringLiteral("SWITCHBOARD_MAX_PENDING_BYTES"), QStringLiteral("4096")},
                                    {QStringLiteral("SWITCHBOARD_HANDSHAKE_TIMEOUT"), QStringLiteral("250")},
                                    {QStringLiteral("SWITCHBOARD_HEAP_TRIM_INTERVAL"), QStringLiteral("0")}},
                               &c, &error));
    QCOMPARE(c.threads, 6);
    QCOMPARE(c.heapTrimIntervalSeconds, 0);
    QCOMPARE(c.maxPendingBytes, qint64(4096));
    QCOMPARE(c.handshakeTimeoutMs, 250);
}

void tst_Config::effectiveThreads()
{
    ServerConfig c;
    c.threads = 3;
    QCOMPARE(c.effectiveThreads(), 3);
    c.threads = 0;
    QVERIFY(c.effectiveThreads() >= 1);
}


// --amqp and --amqp-bindings: both or neither, from any source; a bad binding names its field.
void tst_Config::amqp()
{
    const QString bindings = writeFile(R"({"bindings":[{"exchange":"events","queue":"ws","routingKeys":["order.*"],"targets":["user:{userId}"]}]})");
    const QString url = QStringLiteral("amqp://guest:guest@localhost:5672/%2f");
    ServerConfig c;
    QString error;
    QVERIFY2(ConfigLoader::load({{"amqp", url}}, {{"SWITCHBOARD_AMQP_BINDINGS", bindings}}, &c, &error), qPrintable(error));
    QCOMPARE(c.amqpUrl, url);
    QCOMPARE(c.amqpBindings.size(), 1);
    QCOMPARE(c.amqpBindings.constFirst().queue, QStringLiteral("ws"));
    QVERIFY2(ConfigLoader::load({{"config", writeFile(QJsonDocument(QJsonObject{{"amqp", url}, {"amqpBindings", bindings}}).toJson())}},
                                {}, &c, &error), qPrintable(error));
    QCOMPARE(c.amqpBindings.size(), 1);

    QVERIFY(!ConfigLoader::load({{"amqp", url}}, {}, &c, &error));
    QVERIFY2(error.contains("--amqp-bindings"), qPrintable(error));
    QVERIFY(!ConfigLoader::load({{"amqp-bindings", bindings}}, {}, &c, &error));
    QVERIFY2(error.contains("--amqp "), qPrintable(error));

    const QString bad = writeFile(R"({"bindings":[{"exchange":"events","queue":"ws","routingKeys":["order.*"],"targets":["user:{userId}"],"prefetch":0}]})");
    QVERIFY(!ConfigLoader::load({{"amqp", url}, {"amqp-bindings", bad}}, {}, &c, &error));
    QVERIFY2(error.contains("bindings[0].prefetch") && error.contains(bad), qPrintable(error));

    // TLS files: only with amqps://, readable, certificate and key together.
    const QString tlsUrl = QStringLiteral("amqps://guest:guest@localhost:5671/%2f");
    const QString pem = writeFile("-----BEGIN CERTIFICATE-----\n");
    QVERIFY2(ConfigLoader::load({{"amqp", tlsUrl}, {"amqp-bindings", bindings}, {"amqp-ca", pem}, {"amqp-cert", pem}},
                                {{"SWITCHBOARD_AMQP_KEY", pem}}, &c, &error), qPrintable(error));
    QCOMPARE(c.amqpTls.caFile, pem);
    QCOMPARE(c.amqpTls.certFile, pem);
    QCOMPARE(c.amqpTls.keyFile, pem);
    QVERIFY(!ConfigLoader::load({{"amqp", url}, {"amqp-bindings", bindings}, {"amqp-ca", pem}}, {}, &c, &error));
    QVERIFY2(error.contains("--amqp-ca") && error.contains("amqps://"), qPrintable(error));
    QVERIFY(!ConfigLoader::load({{"amqp", tlsUrl}, {"amqp-bindings", bindings}, {"amqp-ca", "/nonexistent/ca.pem"}}, {}, &c, &error));
    QVERIFY2(error.contains("amqp-ca") && error.contains("/nonexistent/ca.pem"), qPrintable(error));
    QVERIFY(!ConfigLoader::load({{"amqp", tlsUrl}, {"amqp-bindings", bindings}, {"amqp-cert", pem}}, {}, &c, &error));
    QVERIFY2(error.contains("--amqp-key"), qPrintable(error));
}

void tst_Config::envAliases()
{
    // "env" maps options to the variables an older service read (JWT_SECRET, PORT).
    const QString path = writeFile(R"({"port": 1000, "jwtSecret": "from-file",
                                      "env": {"jwt-secret": "JWT_SECRET", "port": "PORT", "max_connections": "MAX_CONN"}})");
    const Strings flags{{QStringLiteral("config"), path}};
    ServerConfig c;
    QString error;
    QVERIFY2(ConfigLoader::load(flags, {{"JWT_SECRET", "from-alias"}, {"PORT", "2000"}, {"MAX_CONN", "5"}}, &c, &error), qPrintable(error));
    QCOMPARE(c.jwtSecret, QStringLiteral("from-alias"));
    QCOMPARE(c.port, quint16(2000));
    QCOMPARE(c.maxConnections, 5);
    // SWITCHBOARD_<NAME> and the flag still win; without the variable, the file's value.
    QVERIFY(ConfigLoader::load(flags, {{"JWT_SECRET", "from-alias"}, {"SWITCHBOARD_JWT_SECRET", "own"}}, &c, &error));
    QCOMPARE(c.jwtSecret, QStringLiteral("own"));
    QCOMPARE(c.port, quint16(1000));
    QVERIFY(ConfigLoader::load({{QStringLiteral("config"), path}, {QStringLiteral("port"), QStringLiteral("3000")}}, {{"PORT", "2000"}}, &c, &error));
    QCOMPARE(c.port, quint16(3000));
    // A value from an alias is validated like any other.
    QVERIFY(!ConfigLoader::load(flags, {{"PORT", "http"}}, &c, &error));
    QVERIFY2(error.contains(QStringLiteral("port")), qPrintable(error));
    // Unknown options, bad variable names and a non-object are refused.
    for (const QByteArray &bad : {QByteArray(R"({"env": {"no-such-option": "X"}})"), QByteArray(R"({"env": {"port": "1PORT"}})"),
                                  QByteArray(R"({"env": {"port": 5}})"), QByteArray(R"({"env": ["PORT"]})")}) {
        QVERIFY2(!ConfigLoader::load({{QStringLiteral("config"), writeFile(bad)}}, {}, &c, &error), bad.constData());
        QVERIFY2(error.contains(QStringLiteral("\"env\"")), qPrintable(error));
    }
}

void tst_Config::migrationOptions()
{
    ServerConfig c;
    QString error;
    QVERIFY(ConfigLoader::load({}, {}, &c, &error));
    QVERIFY(c.userIdClaims.isEmpty());
    QCOMPARE(c.authGraceMs, 0);
    QCOMPARE(c.relayRoomKey, QStringLiteral("room"));
    QVERIFY(c.socketioConnectedEvent.isEmpty());
    QVERIFY(c.connectErrorMessages.isEmpty());
    // The map may be a JSON object in the file, or its text anywhere.
    const QString path = writeFile(R"({"connectErrorMessages": {"4001": "Authentication required", "4002": "Invalid token"},
                                      "userIdClaim": ["_id", "sub"], "claimRoomsQuery": "user_type"})");
    QVERIFY2(ConfigLoader::load({{QStringLiteral("config"), path}, {QStringLiteral("auth-grace-ms"), QStringLiteral("5000")},
                                 {QStringLiteral("relay-room-key"), QStringLiteral("roomId")}},
                                {{"SWITCHBOARD_SOCKETIO_CONNECTED_EVENT", "connected"}}, &c, &error), qPrintable(error));
    QCOMPARE(c.connectErrorMessages.value(4001), QStringLiteral("Authentication required"));
    QCOMPARE(c.connectErrorMessages.value(4002), QStringLiteral("Invalid token"));
    QCOMPARE(c.userIdClaims, (QStringList{"_id", "sub"}));
    QCOMPARE(c.claimRoomsQuery, QStringList{"user_type"});
    QCOMPARE(c.authGraceMs, 5000);
    QCOMPARE(c.relayRoomKey, QStringLiteral("roomId"));
    QCOMPARE(c.socketioConnectedEvent, QStringLiteral("connected"));
    QVERIFY2(ConfigLoader::load({{QStringLiteral("claim-rooms-query"), QStringLiteral("user_type=driver|rider,region")}}, {}, &c, &error),
             qPrintable(error));
    QCOMPARE(c.claimRoomsQuery, (QStringList{"user_type=driver|rider", "region"}));
    // The id claim itself cannot come from the query.
    QVERIFY(!ConfigLoader::load({{QStringLiteral("user-id-claim"), QStringLiteral("_id")},
                                 {QStringLiteral("claim-rooms-query"), QStringLiteral("_id")}}, {}, &c, &error));
}

using WebhookFlags = QHash<QString, QString>;

// --webhook-*: from flags, env and file; off by default; all events unless narrowed.
void tst_Config::webhooks()
{
    ServerConfig c;
    QString error;
    QVERIFY2(ConfigLoader::load({}, {}, &c, &error), qPrintable(error));
    QVERIFY(!c.webhooks.enabled());
    const QString secret = QStringLiteral("0123456789abcdef");
    QVERIFY2(ConfigLoader::load({{"webhook-url", "http://127.0.0.1:9/events"}, {"hooks-secret", secret}},
                                {{"SWITCHBOARD_WEBHOOK_EVENTS", "connect, dead_letter"}, {"SWITCHBOARD_WEBHOOK_BATCH_SIZE", "7"}},
                                &c, &error), qPrintable(error));
    QVERIFY(c.webhooks.enabled());
    QCOMPARE(c.webhooks.url, QUrl(QStringLiteral("http://127.0.0.1:9/events")));
    QCOMPARE(c.webhooks.events, quint32(1 | 16));
    QCOMPARE(c.webhooks.batchSize, 7);
    QCOMPARE(c.webhooks.batchMs, 1000);
    QVERIFY2(ConfigLoader::load({{"config", writeFile(QJsonDocument(QJsonObject{
                                     {"webhookUrl", "https://audit.example/hook"}, {"hooksSecret", secret},
                                     {"webhookQueueMax", 3}, {"webhookQueueMaxBytes", 4096}, {"webhookFlushTimeout", 0}}).toJson())}},
                                {}, &c, &error), qPrintable(error));
    QCOMPARE(c.webhooks.url.host(), QStringLiteral("audit.example"));
    QCOMPARE(c.webhooks.events, quint32(0x1f));
    QCOMPARE(c.webhooks.queueMax, 3);
    QCOMPARE(c.webhooks.queueMaxBytes, qint64(4096));
    QCOMPARE(c.webhooks.flushMs, 0);
}

void tst_Config::webhookBadValues_data()
{
    QTest::addColumn<WebhookFlags>("flags");
    QTest::addColumn<QString>("expected");
    const QString url = QStringLiteral("http://127.0.0.1:9/events");
    const QString secret = QStringLiteral("0123456789abcdef");
    QTest::addRow("no secret") << QHash<QString, QString>{{"webhook-url", url}} << "--hooks-secret";
    QTest::addRow("short secret") << QHash<QString, QString>{{"webhook-url", url}, {"hooks-secret", "short"}} << "--hooks-secret";
    QTest::addRow("ftp") << QHash<QString, QString>{{"webhook-url", "ftp://x/y"}, {"hooks-secret", secret}} << "webhook-url";
    QTest::addRow("no host") << QHash<QString, QString>{{"webhook-url", "http:///y"}, {"hooks-secret", secret}} << "webhook-url";
    QTest::addRow("unknown event") << QHash<QString, QString>{{"webhook-url", url}, {"hooks-secret", secret}, {"webhook-events", "connect,kick"}} << "webhook-events: \"kick\"";
    QTest::addRow("no event") << QHash<QString, QString>{{"webhook-url", url}, {"hooks-secret", secret}, {"webhook-events", ","}} << "webhook-events";
    QTest::addRow("batch 0") << QHash<QString, QString>{{"webhook-url", url}, {"hooks-secret", secret}, {"webhook-batch-size", "0"}} << "webhook-batch-size";
    QTest::addRow("batch 1001") << QHash<QString, QString>{{"webhook-url", url}, {"hooks-secret", secret}, {"webhook-batch-size", "1001"}} << "webhook-batch-size";
    QTest::addRow("interval 5") << QHash<QString, QString>{{"webhook-url", url}, {"hooks-secret", secret}, {"webhook-batch-interval", "5"}} << "webhook-batch-interval";
    QTest::addRow("queue text") << QHash<QString, QString>{{"webhook-url", url}, {"hooks-secret", secret}, {"webhook-queue-max", "lots"}} << "webhook-queue-max";
    QTest::addRow("bytes small") << QHash<QString, QString>{{"webhook-url", url}, {"hooks-secret", secret}, {"webhook-queue-max-bytes", "10"}} << "webhook-queue-max-bytes";
    QTest::addRow("timeout huge") << QHash<QString, QString>{{"webhook-url", url}, {"hooks-secret", secret}, {"webhook-timeout", "99999999999"}} << "webhook-timeout";
    QTest::addRow("flush negative") << QHash<QString, QString>{{"webhook-url", url}, {"hooks-secret", secret}, {"webhook-flush-timeout", "-1"}} << "webhook-flush-timeout";
}

void tst_Config::webhookBadValues()
{
    QFETCH(WebhookFlags, flags);
    QFETCH(QString, expected);
    ServerConfig c;
    QString error;
    QVERIFY(!ConfigLoader::load(flags, {}, &c, &error));
    QVERIFY2(error.contains(expected), qPrintable(error));
}

QTEST_GUILESS_MAIN(tst_Config)
void tst_Config::logLevel_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("valid");
    for (const char *v : {"debug", "info", "warning", "critical"})
        QTest::addRow("%s", v) << QString::fromLatin1(v) << true;
    QTest::addRow("verbose") << QStringLiteral("verbose") << false;
    QTest::addRow("upper case") << QStringLiteral("INFO") << false;
    QTest::addRow("empty") << QString() << false;
}

void tst_Config::logLevel()
{
    QFETCH(QString, value);
    QFETCH(bool, valid);
    ServerConfig c;
    QString error;
    QCOMPARE(c.logLevel, QStringLiteral("info"));
    QCOMPARE(ConfigLoader::load({{QStringLiteral("log-level"), value}}, {}, &c, &error), valid);
    if (valid)
        QCOMPARE(c.logLevel, value);
    else
        QVERIFY2(error.startsWith(QStringLiteral("invalid value for log-level")), qPrintable(error));
}

void tst_Config::liveLimitsApply()
{
    ServerConfig c;
    LiveLimits limits(c);
    QCOMPARE(limits.maxMessageSize(), c.maxMessageSize);
    QCOMPARE(limits.apply(c), QStringList()); // nothing changed
    ServerConfig next = c;
    next.maxMessageSize = 2048;
    next.rateLimit = 5;
    next.maxConnections = 3;
    next.port = 9999; // not a live limit: ignored
    const QStringList changed = limits.apply(next);
    QCOMPARE(changed, (QStringList{QStringLiteral("max-connections: 10000 -> 3"), QStringLiteral("max-message-size: 1048576 -> 2048"),
                                   QStringLiteral("rate-limit: 100 -> 5")}));
    QCOMPARE(limits.maxMessageSize(), qint64(2048));
    QCOMPARE(limits.rateLimit(), 5.0);
    QCOMPARE(limits.maxConnections(), 3);
    QCOMPARE(limits.rateBurst(), c.rateBurst);
    for (const QString &name : LiveLimits::optionNames()) {
        const bool known = std::any_of(ConfigLoader::options().cbegin(), ConfigLoader::options().cend(),
                                       [&](const ConfigLoader::Option &o) { return o.name == name; });
        QVERIFY2(known, qPrintable(name));
    }
}

#include "tst_config.moc"

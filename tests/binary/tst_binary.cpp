// The real binary through QProcess: run modes, signals, the token subcommand, the CLI.
#include <csignal>

#include <sys/stat.h>

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpServer>
#include <QtTest/QtTest>

#include "auth/jwt.h"
#include "core/config.h"
#include "child.h"
#include "rawsockets.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

struct Result
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Result runToCompletion(const QStringList &args, const QProcessEnvironment &env = Child::cleanEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SWITCHBOARD_BINARY), args);
    Result r;
    if (!p.waitForFinished(15000)) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

class TestBinary : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpListsEveryOption();
    void version();
    void badFlagValueFailsClearly_data();
    void badFlagValueFailsClearly();
    void headlessRunsWithoutDisplay();
    void guiModeStartsTheConsoleAndServes();
    void sigtermClosesClientsWith1001AndExitsZero();
    void sigintAlsoExitsZero();
    void sigtermWithHeldPollsExitsZero();
    void tokenSubcommandIsAcceptedByServer();
    void tokenSubcommandClaims();
    void tokenSubcommandNeedsUser();
    void generatedSecretIsKeptInDataDir();
    void generatedInternalKeyIsOwnerOnly();
    void configPrecedenceFlagEnvFile();
    void portInUseIsAnError();
    void exampleConfigIsValid();
    void jsonLogFormat();
};

void TestBinary::helpListsEveryOption()
{
    const Result r = runToCompletion({QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    const QString help = QString::fromUtf8(r.out);
    for (const ConfigLoader::Option &option : ConfigLoader::options())
        QVERIFY2(help.contains(QStringLiteral("--") + option.name), qPrintable(option.name));
    for (const char *extra : {"--headless", "--version", "--help", "token --user"})
        QVERIFY2(help.contains(QLatin1String(extra)), extra);
    QVERIFY(help.contains(QStringLiteral("SWITCHBOARD_MAX_CONNECTIONS")));
}

void TestBinary::version()
{
    const Result r = runToCompletion({QStringLiteral("--version")});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.startsWith("switchboard " SWITCHBOARD_VERSION), r.out.constData());
}

void TestBinary::badFlagValueFailsClearly_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::addRow("port not a number") << QStringList{"--headless", "--port", "abc"} << "invalid value for port";
    QTest::addRow("port out of range") << QStringList{"--headless", "--port", "70000"} << "invalid value for port";
    QTest::addRow("log format") << QStringList{"--headless", "--log-format", "xml"} << "log-format";
    QTest::addRow("unknown option") << QStringList{"--headless", "--no-such-flag"} << "no-such-flag";
    QTest::addRow("claim template with two lists") << QStringList{"--headless", "--claim-rooms", "{a[]}:{b[]}"}
                                                   << "invalid value for claim-rooms: \"{a[]}:{b[]}\": more than one list placeholder";
    QTest::addRow("claim template unbalanced") << QStringList{"--headless", "--claim-rooms", "shop:{shopIds[]"}
                                               << "invalid value for claim-rooms: \"shop:{shopIds[]\": the \"{\" at 5 is not closed";
    QTest::addRow("missing config file") << QStringList{"--headless", "--config", "/nonexistent/sb.json"} << "cannot read config file";
}

void TestBinary::badFlagValueFailsClearly()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Result r = runToCompletion(args);
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
}

void TestBinary::headlessRunsWithoutDisplay()
{
    QTemporaryDir dir;
    Child child({QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                 QStringLiteral("--data-dir"), dir.path()});
    const quint16 port = child.waitForPort();
    QVERIFY(port != 0);
    const HttpReply health = http("GET", QUrl(QStringLiteral("http://127.0.0.1:%1/health").arg(port)));
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(health.json().value("version").toString(), QStringLiteral(SWITCHBOARD_VERSION));

    // No windowing system was touched: no QPA platform plugin is mapped into the process.
    QFile maps(QStringLiteral("/proc/%1/maps").arg(child.pid()));
    QVERIFY(maps.open(QIODevice::ReadOnly));
    const QByteArray mapped = maps.readAll();
    QVERIFY(!mapped.isEmpty());
    QVERIFY2(!mapped.contains("/platforms/"), "headless mode loaded a QPA platform plugin");
    QVERIFY(!mapped.contains("libxcb.so"));
    // Not even Qt Gui: the console library is never loaded (guiModeStartsTheConsoleAndServes
    // is the positive control: the same check finds it there).
    QVERIFY2(!mapped.contains("libQt6Gui.so"), "headless mode mapped libQt6Gui");
    QVERIFY(!mapped.contains("libswitchboard_gui.so"));
}

void TestBinary::guiModeStartsTheConsoleAndServes()
{
    // The default mode (no --headless): the console library is loaded and the embedded
    // server answers. The offscreen platform stands in for a display.
    QTemporaryDir dir;
    QProcessEnvironment env = Child::cleanEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    Child child({QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--data-dir"), dir.path()}, env);
    const quint16 port = child.waitForPort(30000);
    QVERIFY2(port != 0, child.stderrText().constData());
    const HttpReply health = http("GET", QUrl(QStringLiteral("http://127.0.0.1:%1/health").arg(port)));
    QCOMPARE(health.status, 200);
    QCOMPARE(health.json().value("status").toString(), QStringLiteral("ok"));

    QFile maps(QStringLiteral("/proc/%1/maps").arg(child.pid()));
    QVERIFY(maps.open(QIODevice::ReadOnly));
    const QByteArray mapped = maps.readAll();
    QVERIFY2(mapped.contains("libswitchboard_gui.so"), "GUI mode did not load the console library");
    QVERIFY(mapped.contains("libQt6Gui.so"));
    QVERIFY(mapped.contains("libQt6Quick.so"));
    QVERIFY(mapped.contains("/platforms/")); // the offscreen platform plugin

    // It stops like the headless server: SIGTERM, exit code 0.
    ::kill(pid_t(child.pid()), SIGTERM);
    QVERIFY(child.waitExited(15000));
    QCOMPARE(child.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(child.process().exitCode(), 0);
}

void TestBinary::sigtermClosesClientsWith1001AndExitsZero()
{
    QTemporaryDir dir;
    Child child({QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                 QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--threads"), QStringLiteral("2")});
    const quint16 port = child.waitForPort();
    QVERIFY(port != 0);
    const Result tok = runToCompletion({QStringLiteral("token"), QStringLiteral("--user"), QStringLiteral("7"),
                                        QStringLiteral("--data-dir"), dir.path()});
    QCOMPARE(tok.exitCode, 0);

    // Several clients so that more than one I/O thread has some to close.
    std::vector<std::unique_ptr<WsClient>> clients;
    for (int i = 0; i < 6; ++i) {
        clients.push_back(std::make_unique<WsClient>());
        const QJsonObject hello = clients.back()->connectAndWelcome(
            QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(port).arg(QString::fromLatin1(tok.out.trimmed()))));
        QCOMPARE(hello.value("userId").toString(), QStringLiteral("7"));
    }
    ::kill(pid_t(child.pid()), SIGTERM);
    for (auto &client : clients) {
        QVERIFY(client->waitClosed(10000));
        QCOMPARE(client->closeCode(), 1001);
    }
    QVERIFY(child.waitExited());
    QCOMPARE(child.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(child.process().exitCode(), 0);
}

void TestBinary::sigintAlsoExitsZero()
{
    QTemporaryDir dir;
    Child child({QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                 QStringLiteral("--data-dir"), dir.path()});
    QVERIFY(child.waitForPort() != 0);
    ::kill(pid_t(child.pid()), SIGINT);
    QVERIFY(child.waitExited());
    QCOMPARE(child.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(child.process().exitCode(), 0);
}

void TestBinary::sigtermWithHeldPollsExitsZero()
{
    // Long-polls held by other I/O threads than their sessions' (finding 2: a worker that had
    // drained was deleted while another still answered through it).
    QTemporaryDir dir;
    Child child({QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                 QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--threads"), QStringLiteral("4")});
    const quint16 port = child.waitForPort();
    QVERIFY(port != 0);
    const int handshakes = Raw::connectTcp(port);
    QVERIFY(handshakes >= 0);
    QList<int> polls;
    auto closeAll = qScopeGuard([&] {
        ::close(handshakes);
        for (int fd : std::as_const(polls))
            ::close(fd);
    });
    for (int i = 0; i < 200; ++i) {
        const QByteArray sid = Raw::openEngineIo(handshakes, port);
        QVERIFY(!sid.isEmpty());
        const int poll = Raw::connectTcp(port);
        QVERIFY(poll >= 0);
        polls.append(poll);
        QVERIFY(Raw::sendPoll(poll, port, sid));
    }
    // The server has read every poll (they count as HTTP requests once parsed; a poll still
    // unread at the SIGTERM would never be answered), and the polls are held until the SIGTERM.
    QTRY_VERIFY_WITH_TIMEOUT([&] {
        const int control = Raw::connectTcp(port);
        const bool sent = Raw::sendAll(control, Raw::get(port, "/api/metrics"));
        const auto response = sent ? Raw::readResponse(control) : decltype(Raw::readResponse(control)){};
        ::close(control);
        return QJsonDocument::fromJson(response.body).object().value(QLatin1String("httpRequests")).toInteger() >= 400;
    }(), 10000);
    pollfd first{polls.first(), POLLIN, 0};
    QCOMPARE(::poll(&first, 1, 0), 0);

    ::kill(pid_t(child.pid()), SIGTERM);
    int answered = 0;
    for (int fd : std::as_const(polls))
        answered += Raw::readResponse(fd, 10000).status == 200;
    QCOMPARE(answered, int(polls.size()));
    QVERIFY(child.waitExited());
    QCOMPARE(child.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(child.process().exitCode(), 0);
}

void TestBinary::tokenSubcommandIsAcceptedByServer()
{
    QTemporaryDir dir;
    // The token is minted before the server ever ran: both must agree on the kept secret.
    const Result tok = runToCompletion({QStringLiteral("token"), QStringLiteral("--user"), QStringLiteral("42"),
                                        QStringLiteral("--role"), QStringLiteral("admin"),
                                        QStringLiteral("--rooms"), QStringLiteral("lobby,orders"),
                                        QStringLiteral("--data-dir"), dir.path()});
    QCOMPARE(tok.exitCode, 0);
    Child child({QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                 QStringLiteral("--data-dir"), dir.path()});
    const quint16 port = child.waitForPort();
    QVERIFY(port != 0);
    WsClient client;
    const QJsonObject hello = client.connectAndWelcome(
        QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(port).arg(QString::fromLatin1(tok.out.trimmed()))));
    QCOMPARE(hello.value("type").toString(), QStringLiteral("connected"));
    QCOMPARE(hello.value("userId").toString(), QStringLiteral("42"));
    const QStringList rooms = hello.value("rooms").toVariant().toStringList();
    for (const char *room : {"user:42", "role:admin", "lobby", "orders"})
        QVERIFY2(rooms.contains(QLatin1String(room)), room);

    // A token minted for another data dir (another secret) is refused with 4002.
    QTemporaryDir other;
    const Result foreign = runToCompletion({QStringLiteral("token"), QStringLiteral("--user"), QStringLiteral("42"),
                                            QStringLiteral("--data-dir"), other.path()});
    QCOMPARE(foreign.exitCode, 0);
    WsClient refused;
    QVERIFY(refused.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(port).arg(QString::fromLatin1(foreign.out.trimmed())))));
    QVERIFY(refused.waitClosed());
    QCOMPARE(refused.closeCode(), 4002);
}

void TestBinary::tokenSubcommandClaims()
{
    const Result r = runToCompletion({QStringLiteral("token"), QStringLiteral("--user"), QStringLiteral("9"),
                                      QStringLiteral("--role"), QStringLiteral("support"), QStringLiteral("--ttl"),
                                      QStringLiteral("120"), QStringLiteral("--jwt-secret"), QStringLiteral("s3cret"),
                                      QStringLiteral("--data-dir"), QTemporaryDir().path()});
    QCOMPARE(r.exitCode, 0);
    const Jwt::Result verified = Jwt::verify(r.out.trimmed(), "s3cret", 0);
    QVERIFY2(verified.ok(), qPrintable(verified.message));
    QCOMPARE(verified.userId, QStringLiteral("9"));
    QCOMPARE(verified.claims.value("role").toString(), QStringLiteral("support"));
    const qint64 ttl = qint64(verified.claims.value("exp").toDouble() - verified.claims.value("iat").toDouble());
    QCOMPARE(ttl, 120);
    QVERIFY(!Jwt::verify(r.out.trimmed(), "other", 0).ok());
    // --user-id-claim _id: the id is in "_id" too, where such a server reads it.
    const Result withIdClaim = runToCompletion({QStringLiteral("token"), QStringLiteral("--user"), QStringLiteral("64f0c2"),
                                                QStringLiteral("--user-id-claim"), QStringLiteral("_id"),
                                                QStringLiteral("--jwt-secret"), QStringLiteral("s3cret"),
                                                QStringLiteral("--data-dir"), QTemporaryDir().path()});
    QCOMPARE(withIdClaim.exitCode, 0);
    const Jwt::Result byId = Jwt::verify(withIdClaim.out.trimmed(), "s3cret", 0, QDateTime::currentDateTimeUtc(), {QStringLiteral("_id")});
    QVERIFY2(byId.ok(), qPrintable(byId.message));
    QCOMPARE(byId.userId, QStringLiteral("64f0c2"));
}

void TestBinary::tokenSubcommandNeedsUser()
{
    const Result r = runToCompletion({QStringLiteral("token")});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains("--user is required"));
    QVERIFY(r.out.isEmpty());
}

void TestBinary::generatedSecretIsKeptInDataDir()
{
    QTemporaryDir dir;
    Child child({QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                 QStringLiteral("--data-dir"), dir.path()});
    QVERIFY(child.waitForPort() != 0);
    QFile secret(dir.filePath(QStringLiteral("jwt-secret")));
    QVERIFY(secret.exists());
    QCOMPARE(secret.permissions() & (QFile::ReadGroup | QFile::ReadOther), QFile::Permissions());
    QVERIFY(secret.open(QIODevice::ReadOnly));
    QVERIFY(secret.readAll().trimmed().size() >= 32);
    QVERIFY(child.stderrText().contains("switchboard token --user"));
}

void TestBinary::generatedInternalKeyIsOwnerOnly()
{
    // Both generated secrets are readable and writable by their owner only (mode 0600).
    QTemporaryDir dir;
    Child child({QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                 QStringLiteral("--data-dir"), dir.path()});
    QVERIFY(child.waitForPort() != 0);
    for (const char *name : {"internal-key", "jwt-secret"}) {
        QFile file(dir.filePath(QString::fromLatin1(name)));
        QVERIFY2(file.exists(), name);
        struct stat st {};
        QCOMPARE(::stat(QFile::encodeName(file.fileName()).constData(), &st), 0);
        QCOMPARE(st.st_mode & 07777, mode_t(0600));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(file.readAll().trimmed().size() >= 32);
    }
}

void TestBinary::configPrecedenceFlagEnvFile()
{
    QTemporaryDir dir;
    const quint16 filePort = freePort();
    const quint16 envPort = freePort();
    const quint16 flagPort = freePort();
    QFile file(dir.filePath(QStringLiteral("switchboard.json")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(QJsonObject{{"port", filePort}, {"maxConnections", 3}, {"dataDir", dir.path()}}).toJson());
    file.close();

    auto portOf = [&](const QStringList &extra, const QProcessEnvironment &env) {
        Child child(QStringList{QStringLiteral("--headless"), QStringLiteral("--config"), file.fileName()} + extra, env);
        return child.waitForPort();
    };
    QCOMPARE(portOf({}, Child::cleanEnvironment()), filePort);
    QProcessEnvironment env = Child::cleanEnvironment();
    env.insert(QStringLiteral("SWITCHBOARD_PORT"), QString::number(envPort));
    QCOMPARE(portOf({}, env), envPort);
    QCOMPARE(portOf({QStringLiteral("--port"), QString::number(flagPort)}, env), flagPort);
}

void TestBinary::portInUseIsAnError()
{
    QTcpServer holder;
    QVERIFY(holder.listen(QHostAddress::LocalHost, 0));
    QTemporaryDir dir;
    const Result r = runToCompletion({QStringLiteral("--headless"), QStringLiteral("--port"), QString::number(holder.serverPort()),
                                      QStringLiteral("--data-dir"), dir.path()});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains("cannot listen"), r.err.constData());
}

void TestBinary::exampleConfigIsValid()
{
    // The sample shipped in resources/ must keep parsing; flags override its port and dir.
    QTemporaryDir dir;
    Child child({QStringLiteral("--headless"), QStringLiteral("--config"), QStringLiteral(SWITCHBOARD_SOURCE_DIR "/resources/switchboard.example.json"),
                 QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--data-dir"), dir.path()});
    const quint16 port = child.waitForPort();
    QVERIFY(port != 0);
    // Its internal key and claim templates are in force.
    const HttpReply rooms = http("GET", QUrl(QStringLiteral("http://127.0.0.1:%1/api/rooms").arg(port)), {},
                                 {{QByteArrayLiteral("x-internal-key"), QByteArrayLiteral("change-me-too")}});
    QCOMPARE(rooms.status, 200);
    const QByteArray token = Jwt::sign({{"sub", "5"}, {"companyId", 7}, {"shopIds", QJsonArray{1, 2}},
                                        {"exp", QDateTime::currentSecsSinceEpoch() + 60}},
                                       "change-me-to-a-long-random-secret");
    WsClient client;
    const QJsonObject hello = client.connectAndWelcome(
        QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(port).arg(QString::fromLatin1(token))));
    const QStringList joined = hello.value("rooms").toVariant().toStringList();
    for (const char *room : {"user:5", "company:7", "shop:1", "shop:2"})
        QVERIFY2(joined.contains(QLatin1String(room)), room);
}

void TestBinary::jsonLogFormat()
{
    QTemporaryDir dir;
    Child child({QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                 QStringLiteral("--data-dir"), dir.path(), QStringLiteral("--log-format"), QStringLiteral("json")});
    QVERIFY(child.waitForPort() != 0);
    const QList<QByteArray> lines = child.stderrText().trimmed().split('\n');
    QVERIFY(!lines.isEmpty());
    bool sawServerCategory = false;
    for (const QByteArray &line : lines) {
        QJsonParseError pe;
        const QJsonObject o = QJsonDocument::fromJson(line, &pe).object();
        QVERIFY2(pe.error == QJsonParseError::NoError, line.constData());
        QVERIFY(o.contains("ts") && o.contains("level") && o.contains("message"));
        sawServerCategory |= o.value("category").toString() == QLatin1String("switchboard.server");
    }
    QVERIFY(sawServerCategory);
}

QTEST_MAIN(TestBinary)
#include "tst_binary.moc"

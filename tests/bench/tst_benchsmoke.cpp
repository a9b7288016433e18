// Smoke runs of the benchmark tools at tiny size, so they cannot rot: every loadgen scenario
// against the real switchboard binary (also over TLS, wss://) and against each peer in
// bench/peers, refused tokens, and bench/run.sh end to end. These check that the tools work and report what they
// measured; they are not timed (speed lives in docs/benchmarks.md). The uWebSockets.js peer runs on
// bench/peers/uws-standin.js (the same calls on top of `ws`) unless BENCH_UWS=1, which uses the
// pinned binary (npm ci in bench/peers/uws), so its script and rows are covered on every machine.
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

namespace {

const QString kSecret = QStringLiteral("smoke-secret");
// A self-signed certificate and key for the "switchboard-tls" server, made by initTestCase().
QString tlsCert;
QString tlsKey;

bool realUws()
{
    return qEnvironmentVariableIntValue("BENCH_UWS") == 1;
}

/// UWS_MODULE for the uws peer: empty (the pinned package) with BENCH_UWS=1, else the stand-in.
QString uwsModule()
{
    return realUws() ? QString() : QStringLiteral(SOURCE_DIR "/bench/peers/uws-standin.js");
}

QProcessEnvironment cleanEnvironment()
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &name : env.keys()) {
        if (name.startsWith(QLatin1String("SWITCHBOARD_")))
            env.remove(name);
    }
    return env;
}

/// One server under test: the switchboard binary or a peer, on a port the kernel picks.
class Server
{
public:
    ~Server() { stop(); }

    bool start(const QString &kind)
    {
        m_kind = kind;
        QProcessEnvironment env = cleanEnvironment();
        QString program;
        QStringList args;
        if (kind.startsWith(QLatin1String("switchboard"))) {
            program = QStringLiteral(SWITCHBOARD_BINARY);
            args = {QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                    QStringLiteral("--data-dir"), m_data.path(), QStringLiteral("--jwt-secret"), kSecret,
                    QStringLiteral("--internal-key"), QStringLiteral("smoke-key"), QStringLiteral("--threads"), QStringLiteral("1"),
                    QStringLiteral("--max-connections"), QStringLiteral("2000"), QStringLiteral("--rate-limit"), QStringLiteral("100000")};
            if (kind == QLatin1String("switchboard-tls"))
                args << QStringLiteral("--tls-cert") << tlsCert << QStringLiteral("--tls-key") << tlsKey;
        } else if (kind == QLatin1String("raw")) {
            program = QStringLiteral(RAWPEER_BINARY);
            args = {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--jwt-secret"), kSecret};
        } else {
            program = QStringLiteral(NODE_EXECUTABLE);
            args = {QStringLiteral(SOURCE_DIR "/bench/peers/%1-server.js").arg(kind)};
            env.insert(QStringLiteral("PORT"), QStringLiteral("0"));
            env.insert(QStringLiteral("JWT_SECRET"), kSecret);
            env.insert(QStringLiteral("INTERNAL_KEY"), QStringLiteral("smoke-key"));
            if (kind == QLatin1String("uws"))
                env.insert(QStringLiteral("UWS_MODULE"), uwsModule());
        }
        m_process.setProcessEnvironment(env);
        m_process.setProgram(program);
        m_process.setArguments(args);
        m_process.setReadChannel(QProcess::StandardError); // where every server says where it listens
        m_process.start();
        if (!m_process.waitForStarted())
            return false;
        static const QRegularExpression listening(QStringLiteral("listening on https?://127\\.0\\.0\\.1:(\\d+)"));
        QByteArray log;
        while (m_process.state() == QProcess::Running || m_process.bytesAvailable()) {
            log += m_process.readAll();
            const QRegularExpressionMatch m = listening.match(QString::fromUtf8(log));
            if (m.hasMatch()) {
                m_port = m.captured(1).toUShort();
                return true;
            }
            if (!m_process.waitForReadyRead(15000))
                break;
        }
        qWarning().noquote() << kind << "did not start:" << log;
        return false;
    }

    void stop()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(10000)) {
                m_process.kill();
                m_process.waitForFinished();
            }
        }
    }

    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process.processId(); }
    bool running() const { return m_process.state() == QProcess::Running; }

    QStringList loadgenTarget() const
    {
        if (m_kind == QLatin1String("socketio"))
            return {QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:%1/socket.io/").arg(m_port),
                    QStringLiteral("--protocol"), QStringLiteral("socketio")};
        if (m_kind == QLatin1String("switchboard-sio")) // Switchboard's own Socket.IO endpoint
            return {QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:%1/socket.io/").arg(m_port),
                    QStringLiteral("--protocol"), QStringLiteral("switchboard-socketio")};
        if (m_kind == QLatin1String("switchboard-tls"))
            return {QStringLiteral("--url"), QStringLiteral("wss://127.0.0.1:%1/ws").arg(m_port)};
        return {QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:%1/ws").arg(m_port)};
    }

private:
    QString m_kind;
    QTemporaryDir m_data;
    QProcess m_process;
    quint16 m_port = 0;
};

struct LoadgenRun
{
    int exitCode = -1;
    QJsonObject result;
    QByteArray errors;
};

LoadgenRun runLoadgen(const QStringList &args)
{
    LoadgenRun run;
    QProcess p;
    p.setProgram(QStringLiteral(LOADGEN_BINARY));
    p.setArguments(args);
    p.start();
    if (!p.waitForFinished(240000)) {
        p.kill();
        p.waitForFinished();
        run.errors = "timed out";
        return run;
    }
    run.exitCode = p.exitCode();
    run.errors = p.readAllStandardError();
    const QList<QByteArray> lines = p.readAllStandardOutput().trimmed().split('\n');
    run.result = QJsonDocument::fromJson(lines.last()).object();
    return run;
}

int number(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toInt(-1);
}

} // namespace

class TestBenchSmoke : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void scenario_data();
    void scenario();
    void refusedTokens_data();
    void refusedTokens();
    void runScript();

private:
    QTemporaryDir m_certs;
};

void TestBenchSmoke::initTestCase()
{
    QVERIFY2(QDir(QStringLiteral(SOURCE_DIR "/bench/peers/node_modules/socket.io")).exists(),
             "the Socket.IO and ws peers are not installed: run scripts/install-deps.sh (npm ci in bench/peers)");
    if (realUws()) {
        QProcess npm;
        npm.setWorkingDirectory(QStringLiteral(SOURCE_DIR "/bench/peers/uws"));
        npm.start(QStringLiteral("npm"), {QStringLiteral("ci"), QStringLiteral("--no-audit"), QStringLiteral("--no-fund"),
                                          QStringLiteral("--loglevel=error")});
        QVERIFY2(npm.waitForFinished(600000) && npm.exitCode() == 0, npm.readAllStandardError().constData());
    }
    QVERIFY(m_certs.isValid());
    tlsCert = m_certs.filePath(QStringLiteral("cert.pem"));
    tlsKey = m_certs.filePath(QStringLiteral("key.pem"));
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"), {
        QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
        QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
        QStringLiteral("-subj"), QStringLiteral("/CN=localhost"), QStringLiteral("-days"), QStringLiteral("1"),
        QStringLiteral("-keyout"), tlsKey, QStringLiteral("-out"), tlsCert});
    QVERIFY2(openssl.waitForFinished(30000) && openssl.exitCode() == 0, openssl.readAllStandardError().constData());
}

void TestBenchSmoke::scenario_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<bool>("spin");
    for (const char *server : {"switchboard", "socketio", "ws", "raw", "switchboard-sio", "switchboard-tls", "uws"}) {
        for (const char *scenario : {"idle", "fanout", "storm", "echo", "mixed"}) {
            if ((QLatin1String(server) == QLatin1String("raw") || QLatin1String(server) == QLatin1String("switchboard-tls"))
                && QLatin1String(scenario) == QLatin1String("mixed"))
                continue; // the raw peer has no HTTP emit endpoint, the loadgen's HTTP emits no TLS
            if (QLatin1String(server) == QLatin1String("switchboard-sio") && QLatin1String(scenario) == QLatin1String("echo"))
                continue; // Switchboard's Socket.IO endpoint has no echo event
            QTest::addRow("%s %s", server, scenario) << QString::fromLatin1(server) << QString::fromLatin1(scenario) << false;
        }
    }
    // The load generator polling without sleeping (run.sh's SPIN=1).
    QTest::addRow("switchboard fanout, --spin 1") << QStringLiteral("switchboard") << QStringLiteral("fanout") << true;
}

void TestBenchSmoke::scenario()
{
    QFETCH(QString, server);
    QFETCH(QString, scenario);
    QFETCH(bool, spin);
    Server s;
    QVERIFY(s.start(server));
    constexpr int n = 40;
    QStringList args = s.loadgenTarget();
    args << QStringLiteral("--scenario") << scenario << QStringLiteral("--secret") << kSecret
         << QStringLiteral("--server-pid") << QString::number(s.pid()) << QStringLiteral("--connections") << QString::number(n)
         << QStringLiteral("--duration") << QStringLiteral("0.5") << QStringLiteral("--warmup") << QStringLiteral("0.2")
         << QStringLiteral("--procs") << QStringLiteral("2") << QStringLiteral("--timeout") << QStringLiteral("60");
    if (spin)
        args << QStringLiteral("--spin") << QStringLiteral("1");
    if (scenario == QLatin1String("idle"))
        args << QStringLiteral("--steps") << QStringLiteral("20,40") << QStringLiteral("--hold") << QStringLiteral("0.3");
    if (scenario == QLatin1String("fanout"))
        args << QStringLiteral("--room-sizes") << QStringLiteral("5,20") << QStringLiteral("--payloads") << QStringLiteral("20,1024")
             << QStringLiteral("--latency-payloads") << QStringLiteral("1024") << QStringLiteral("--levels") << QStringLiteral("50");
    // Switchboard's own emit latency around each level (plain HTTP: not the TLS server's).
    const bool serverMetrics = server == QLatin1String("switchboard") || server == QLatin1String("switchboard-sio");
    if (scenario == QLatin1String("fanout") && serverMetrics)
        args << QStringLiteral("--server-metrics") << QStringLiteral("http://127.0.0.1:%1/metrics").arg(s.port());
    if (scenario == QLatin1String("mixed")) {
        const QString http = QStringLiteral("http://127.0.0.1:%1").arg(s.port());
        args << QStringLiteral("--http") << http << QStringLiteral("--internal-key") << QStringLiteral("smoke-key")
             << QStringLiteral("--rooms") << QStringLiteral("4") << QStringLiteral("--http-rate") << QStringLiteral("40")
             << QStringLiteral("--client-rate") << QStringLiteral("40");
    }
    const LoadgenRun run = runLoadgen(args);
    QVERIFY2(run.exitCode == 0, run.errors.constData());
    const QJsonObject &r = run.result;
    QVERIFY2(!r.isEmpty(), run.errors.constData());
    QVERIFY(s.running());

    if (scenario == QLatin1String("mixed")) {
        // The previous loadgen's keys, used by bench/compare.sh and docs/console.md.
        QCOMPARE(number(r, "connected"), n);
        QCOMPARE(number(r, "failed"), 0);
        QVERIFY(number(r, "emitted") > 0);
        QCOMPARE(number(r, "emitErrors"), 0);
        QVERIFY(number(r, "received") > 0);
        QVERIFY(r.value(QLatin1String("latencyP99Ms")).toDouble() > 0);
        return;
    }
    QCOMPARE(r.value(QLatin1String("scenario")).toString(), scenario);
    // Really TLS: the protocol and suite negotiated, TLS 1.3 against Switchboard.
    QCOMPARE(r.value(QLatin1String("tls")).toString().startsWith(QLatin1String("TLSv1.3 ")), server == QLatin1String("switchboard-tls"));
    QCOMPARE(number(r, "procs"), 2);
    QCOMPARE(number(r, "serverErrors"), 0);
    QCOMPARE(number(r, "protocolErrors"), 0);
    if (scenario == QLatin1String("idle")) {
        QVERIFY(r.value(QLatin1String("baselineRssKiB")).toDouble() > 0);
        const QJsonArray steps = r.value(QLatin1String("steps")).toArray();
        QCOMPARE(steps.size(), 2);
        QCOMPARE(number(steps.at(0).toObject(), "connections"), 20);
        QCOMPARE(number(steps.at(1).toObject(), "connections"), n);
        QCOMPARE(number(steps.at(1).toObject(), "failed"), 0);
        QVERIFY(steps.at(1).toObject().value(QLatin1String("rssKiB")).toDouble() > 0);
        QCOMPARE(number(r, "held"), n);
        QCOMPARE(number(r, "closedDuringHold"), 0);
        QCOMPARE(number(r, "cleanClosed"), n);
    } else if (scenario == QLatin1String("fanout")) {
        QCOMPARE(number(r, "spin"), spin ? 1 : 0);
        const int publishers = 2 * 4 + 2 * 1; // per process: 20 subscribers, 4 rooms of 5 and 1 of 20
        QCOMPARE(number(r, "ready"), n + publishers);
        QCOMPARE(number(r, "failed"), 0);
        const QJsonArray results = r.value(QLatin1String("results")).toArray();
        QCOMPARE(results.size(), 4);
        for (const QJsonValue &v : results) {
            const QJsonObject one = v.toObject();
            const QJsonObject sat = one.value(QLatin1String("saturation")).toObject();
            QVERIFY2(sat.value(QLatin1String("deliveriesPerSec")).toDouble() > 0, QJsonDocument(one).toJson().constData());
            QCOMPARE(number(sat, "lost"), 0);
            QVERIFY(sat.value(QLatin1String("serverCpuSeconds")).toDouble() >= 0);
            const QJsonArray levels = one.value(QLatin1String("levels")).toArray();
            QCOMPARE(levels.size(), number(one, "payload") == 1024 ? 1 : 0);
            for (const QJsonValue &l : levels) {
                QVERIFY(l.toObject().value(QLatin1String("deliveriesPerSec")).toDouble() > 0);
                QCOMPARE(number(l.toObject(), "lost"), 0);
                QVERIFY(l.toObject().value(QLatin1String("p99Ms")).toDouble() > 0);
                // The server's share: read from its histogram before and after the level.
                QCOMPARE(l.toObject().contains(QLatin1String("serverP99Ms")), serverMetrics);
                if (serverMetrics) {
                    const double p50 = l.toObject().value(QLatin1String("serverP50Ms")).toDouble();
                    const double p99 = l.toObject().value(QLatin1String("serverP99Ms")).toDouble();
                    QVERIFY2(p50 > 0 && p99 >= p50, QJsonDocument(l.toObject()).toJson().constData());
                }
            }
        }
        QCOMPARE(number(r, "closedByServer"), 0);
        QCOMPARE(number(r, "cleanClosed"), n + publishers);
    } else if (scenario == QLatin1String("storm")) {
        QCOMPARE(number(r, "attempted"), n);
        QCOMPARE(number(r, "opened"), n);
        QCOMPARE(number(r, "failed"), 0);
        QVERIFY(r.value(QLatin1String("handshakesPerSec")).toDouble() > 0);
        QVERIFY(r.value(QLatin1String("handshake")).toObject().value(QLatin1String("p99Ms")).toDouble() > 0);
        QCOMPARE(number(r, "cleanClosed"), n);
    } else if (scenario == QLatin1String("echo")) {
        QCOMPARE(number(r, "connections"), n);
        QVERIFY(r.value(QLatin1String("roundTripsPerSec")).toDouble() > 0);
        QCOMPARE(number(r, "unanswered"), 0);
        QVERIFY(r.value(QLatin1String("roundTrip")).toObject().value(QLatin1String("p50Ms")).toDouble() > 0);
        QCOMPARE(number(r, "cleanClosed"), n);
    }
}

void TestBenchSmoke::refusedTokens_data()
{
    QTest::addColumn<QString>("server");
    QTest::addColumn<int>("closeCode");
    QTest::addRow("switchboard") << QStringLiteral("switchboard") << 4002; // invalid or expired token
    QTest::addRow("raw") << QStringLiteral("raw") << 401;                  // HTTP status of the refused upgrade
    QTest::addRow("socketio") << QStringLiteral("socketio") << 0;          // CONNECT_ERROR packet, no close code
    QTest::addRow("ws") << QStringLiteral("ws") << 4002;
    QTest::addRow("switchboard-sio") << QStringLiteral("switchboard-sio") << 4002; // CONNECT_ERROR with data.code
    QTest::addRow("switchboard-tls") << QStringLiteral("switchboard-tls") << 4002;
    QTest::addRow("uws") << QStringLiteral("uws") << 401; // refused in the upgrade handler
}

void TestBenchSmoke::refusedTokens()
{
    QFETCH(QString, server);
    QFETCH(int, closeCode);
    Server s;
    QVERIFY(s.start(server));
    const LoadgenRun run = runLoadgen(s.loadgenTarget() + QStringList{
        QStringLiteral("--scenario"), QStringLiteral("storm"), QStringLiteral("--secret"), QStringLiteral("not-the-secret"),
        QStringLiteral("--storm-count"), QStringLiteral("10"), QStringLiteral("--timeout"), QStringLiteral("30")});
    QVERIFY2(run.exitCode == 0, run.errors.constData());
    QCOMPARE(number(run.result, "opened"), 0);
    QCOMPARE(number(run.result, "failed"), 10);
    if (closeCode)
        QCOMPARE(number(run.result, "lastCloseCode"), closeCode);
    QVERIFY(!run.result.value(QLatin1String("lastError")).toString().isEmpty());
}

void TestBenchSmoke::runScript()
{
    QTemporaryDir out;
    QProcess p;
    QProcessEnvironment env = cleanEnvironment();
    const QList<QPair<const char *, const char *>> tiny = {
        {"CONNECTIONS", "40"}, {"IDLE_STEPS", "20,40"}, {"STORM", "40"}, {"HOLD", "0.2"}, {"ROOM_SIZES", "5,20"},
        {"PAYLOADS", "20"}, {"LATENCY_PAYLOADS", "20"}, {"LEVELS", "50"}, {"RATES", "200"}, {"DURATION", "0.3"}, {"WARMUP", "0.1"},
        {"INGEST_DURATION", "1"}, {"INGEST_WARMUP", "1"}};
    for (const auto &[name, value] : tiny)
        env.insert(QString::fromLatin1(name), QString::fromLatin1(value));
    env.insert(QStringLiteral("OUT"), out.path());
    env.insert(QStringLiteral("SERVERS"), QStringLiteral("switchboard socketio ws raw uws"));
    env.insert(QStringLiteral("UWS_MODULE"), uwsModule());
    if (realUws())
        env.insert(QStringLiteral("BENCH_UWS"), QStringLiteral("1"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral("bash"), {QStringLiteral(SOURCE_DIR "/bench/run.sh"), QStringLiteral(BUILD_DIR)});
    QVERIFY(p.waitForFinished(300000));
    const QByteArray errors = p.readAllStandardError();
    QVERIFY2(p.exitCode() == 0, errors.constData());
    QVERIFY2(!errors.contains("loadgen failed"), errors.constData());
    const QString table = QString::fromUtf8(p.readAllStandardOutput());
    QVERIFY2(table.contains(QLatin1String("| figure | Switchboard | Socket.IO | ws | raw epoll | uWS.js | Switchboard / Socket.IO | Switchboard / ws | Switchboard / raw epoll | Switchboard / uWS.js |")),
             qPrintable(table));
    for (const char *figure : {"idle: KiB per connection at 40", "idle: connections held at the top step",
                               "fan-out room 20, 20 B: deliveries/s at saturation", "fan-out room 5, 20 B at 50% of its saturation",
                               "fan-out room 20, 20 B at 200 deliveries/s (every server)",
                               "storm: handshakes/s", "echo: round trips/s",
                               "fan-out room 20, 20 B, one publish in flight: deliveries/s at saturation",
                               "fan-out room 20, 20 B, one publish in flight: deliveries per server CPU-second",
                               "fan-out room 20, 20 B, one publish in flight, at 50% of that saturation"}) {
        QVERIFY2(table.contains(QLatin1String(figure)), figure);
    }
    // HTTP ingest (bench/http-ingest.sh with wrk): Switchboard and the Node peer, per CPU-second.
    const QRegularExpression ingest(QStringLiteral("\\| HTTP ingest: requests per server CPU-second \\| [0-9]+ \\| [0-9]+ \\| [0-9.]+× \\|"));
    QVERIFY2(ingest.match(table).hasMatch(), qPrintable(table));
    // One publish in flight: every server, one room of the largest size, its own file.
    QFile unbatched(out.filePath(QStringLiteral("results-unbatched.jsonl")));
    QVERIFY(unbatched.open(QIODevice::ReadOnly));
    const QList<QByteArray> unbatchedLines = unbatched.readAll().trimmed().split('\n');
    QCOMPARE(unbatchedLines.size(), 5);
    for (const QByteArray &line : unbatchedLines) {
        const QJsonObject one = QJsonDocument::fromJson(line).object();
        QCOMPARE(number(one, "window"), 1);
        const QJsonArray results = one.value(QLatin1String("results")).toArray();
        QCOMPARE(results.size(), 1);
        QCOMPARE(number(results.at(0).toObject(), "roomSize"), 20);
        QVERIFY2(results.at(0).toObject().value(QLatin1String("saturation")).toObject().value(QLatin1String("deliveriesPerSec")).toDouble() > 0,
                 line.constData());
    }
    // The uWS.js column is filled: a saturation figure and its ratio, not a dash.
    const QRegularExpression uwsSaturation(QStringLiteral("\\| fan-out room 20, 20 B: deliveries/s at saturation(?: \\| [0-9,]+(?: \\(L\\))?){5} \\|(?: [0-9.]+× \\|){4}"));
    QVERIFY2(uwsSaturation.match(table).hasMatch(), qPrintable(table));
    // Switchboard over Socket.IO: one fan-out (the largest room, the latency payloads) against the Socket.IO peer.
    QVERIFY2(table.contains(QLatin1String("| fan-out room 20, 20 B, Switchboard over Socket.IO: deliveries/s at saturation |")), qPrintable(table));
    QVERIFY2(table.contains(QLatin1String("fan-out room 20, 20 B, Switchboard over Socket.IO at 50% of its saturation")), qPrintable(table));
    QFile sio(out.filePath(QStringLiteral("results-sio.jsonl")));
    QVERIFY(sio.open(QIODevice::ReadOnly));
    QCOMPARE(sio.readAll().trimmed().split('\n').size(), 1);
    // Every server answered every scenario: 4 scenarios x 5 servers, and no empty cell in the held row.
    // Switchboard over TLS: the largest room, every payload, against plain Switchboard.
    QVERIFY2(table.contains(QLatin1String("| figure | Switchboard | Switchboard over TLS | TLS / plain |")), qPrintable(table));
    QVERIFY2(table.contains(QLatin1String("| fan-out room 20, 20 B, Switchboard over TLS: deliveries/s at saturation |")), qPrintable(table));
    QVERIFY2(table.contains(QLatin1String("| fan-out room 20, 20 B, Switchboard over TLS at 200 deliveries/s (both)")), qPrintable(table));
    QFile tls(out.filePath(QStringLiteral("results-tls.jsonl")));
    QVERIFY(tls.open(QIODevice::ReadOnly));
    const QByteArray tlsResult = tls.readAll().trimmed();
    QCOMPARE(tlsResult.split('\n').size(), 1);
    QVERIFY2(tlsResult.contains("\"url\":\"wss://"), tlsResult.constData());
    QFile results(out.filePath(QStringLiteral("results.jsonl")));
    QVERIFY(results.open(QIODevice::ReadOnly));
    QCOMPARE(results.readAll().trimmed().split('\n').size(), 20);
    const QRegularExpression held(QStringLiteral("\\| idle: connections held at the top step \\| 40 \\| 40 \\| 40 \\| 40 \\| 40 \\| 1\\.00× \\| 1\\.00× \\| 1\\.00× \\| 1\\.00× \\|"));
    QVERIFY2(held.match(table).hasMatch(), qPrintable(table));
}

QTEST_GUILESS_MAIN(TestBenchSmoke)
#include "tst_benchsmoke.moc"

// The admin channel (issue 17, docs/admin-channel.md) against the real headless binary, with
// QWebSocket as the console: admin tokens refused when bad, expired or revoked; a viewer's
// actions refused and audited; an operator's disconnect and an admin's emit reaching real
// clients; the summary about once a second; the paged connections stream matching the
// server's own list under churn; the channel's limits (frame size, version, hello, channel
// count, a console that does not read); POST /api/admin/drain and /api/admin/stop.
#include <sys/socket.h>

#include <algorithm>
#include <map>
#include <random>

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QNetworkRequest>
#include <QtTest/QtTest>

#include "auth/admintoken.h"
#include "child.h"
#include "rawsockets.h"
#include "testsupport.h"

using namespace Switchboard;
using namespace Switchboard::Test;

namespace {

constexpr char kAdminSecret[] = "admin-channel-test-secret";

QStringList childArgs(const QString &dataDir)
{
    return {QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
            QStringLiteral("--threads"), QStringLiteral("2"), QStringLiteral("--data-dir"), dataDir,
            QStringLiteral("--jwt-secret"), QString::fromLatin1(kSecret),
            QStringLiteral("--internal-key"), QString::fromLatin1(kInternalKey),
            QStringLiteral("--admin-token"), QString::fromLatin1(kAdminToken),
            QStringLiteral("--admin-secret"), QString::fromLatin1(kAdminSecret)};
}

QByteArray adminToken(AdminRole role, const QString &name, QString *jti = nullptr,
                      const QDateTime &now = QDateTime::currentDateTimeUtc(), qint64 ttl = 3600)
{
    return AdminToken::mint(role, name, ttl, kAdminSecret, jti, now);
}

QList<QPair<QByteArray, QByteArray>> bearer(const QByteArray &token)
{
    return {{QByteArrayLiteral("authorization"), "Bearer " + token}};
}

/// A masked client text frame (what a browser sends).
QByteArray maskedText(const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x81));
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else if (payload.size() < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char((payload.size() >> 8) & 0xff));
        frame.append(char(payload.size() & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int i = 7; i >= 0; --i)
            frame.append(char((quint64(payload.size()) >> (8 * i)) & 0xff));
    }
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

/// The connections page as a console keeps it: applied from snapshot and diff messages.
struct PageModel
{
    std::map<QString, QJsonObject> rows;
    QStringList order;
    qint64 total = -1;
    int messages = 0;
    QString violation; // the first inconsistency seen in a message

    void apply(const QJsonObject &m, int offset, int limit)
    {
        const QString type = m.value(QLatin1String("type")).toString();
        if (m.value(QLatin1String("stream")).toString() != QLatin1String("connections"))
            return;
        ++messages;
        total = m.value(QLatin1String("total")).toInteger();
        if (type == QLatin1String("snapshot")) {
            rows.clear();
            order.clear();
            for (const QJsonValue &r : m.value(QLatin1String("rows")).toArray()) {
                const QString id = r.toObject().value(QLatin1String("id")).toString();
                rows[id] = r.toObject();
                order << id;
            }
        } else if (type == QLatin1String("diff")) {
            for (const QJsonValue &id : m.value(QLatin1String("remove")).toArray())
                rows.erase(id.toString());
            for (const QJsonValue &r : m.value(QLatin1String("upsert")).toArray())
                rows[r.toObject().value(QLatin1String("id")).toString()] = r.toObject();
            order.clear();
            for (const QJsonValue &id : m.value(QLatin1String("order")).toArray())
                order << id.toString();
        } else {
            return;
        }
        const qint64 expected = qBound<qint64>(0, total - offset, qint64(limit));
        if (violation.isEmpty() && order.size() != expected)
            violation = QStringLiteral("page of %1 rows for total %2").arg(order.size()).arg(total);
        for (const QString &id : std::as_const(order)) {
            if (violation.isEmpty() && !rows.count(id))
                violation = QStringLiteral("order names %1 but no row was sent for it").arg(id);
        }
        if (violation.isEmpty() && rows.size() != size_t(order.size()))
            violation = QStringLiteral("%1 rows kept for a page of %2").arg(rows.size()).arg(order.size());
    }
};

} // namespace

class TestAdminChannel : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Child> m_child;
    quint16 m_port = 0;

    QUrl channelUrl() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/admin/ws").arg(m_port)); }
    QUrl http(const QString &path) const { return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_port).arg(path)); }
    QUrl clientUrl(const QString &user) const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(m_port).arg(QString::fromLatin1(token(user))));
    }

    /// A channel that said hello with @p token; the welcome (or the error) in @p answer.
    std::unique_ptr<WsClient> channel(const QByteArray &token, QJsonObject *answer, const QUrl &url = {})
    {
        auto client = std::make_unique<WsClient>();
        if (!client->open(url.isEmpty() ? channelUrl() : url))
            return nullptr;
        client->send({{QStringLiteral("type"), QStringLiteral("hello")}, {QStringLiteral("v"), 1},
                      {QStringLiteral("token"), QString::fromLatin1(token)}});
        *answer = client->waitFor(QString(), 5000);
        return client;
    }

    /// Sends action @p name and waits for its result.
    QJsonObject act(WsClient &client, int id, const QString &name, const QJsonObject &args)
    {
        client.send({{QStringLiteral("type"), QStringLiteral("action")}, {QStringLiteral("v"), 1},
                     {QStringLiteral("id"), id}, {QStringLiteral("action"), name}, {QStringLiteral("args"), args}});
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 10000) {
            const QJsonObject result = client.waitFor(QStringLiteral("result"), 10000 - int(timer.elapsed()));
            if (result.isEmpty() || result.value(QLatin1String("id")).toInt() == id)
                return result;
        }
        return {};
    }

    /// The audit records (GET /api/admin/audit with the static admin token).
    QJsonArray audit()
    {
        const HttpReply reply = Test::http("GET", http(QStringLiteral("/api/admin/audit?limit=1000")), {}, bearer(kAdminToken));
        return reply.json().value(QLatin1String("records")).toArray();
    }

    bool audited(const QString &name, const QString &action, const QString &result)
    {
        for (const QJsonValue &v : audit()) {
            const QJsonObject r = v.toObject();
            if (r.value(QLatin1String("name")).toString() == name && r.value(QLatin1String("action")).toString() == action
                && r.value(QLatin1String("result")).toString() == result)
                return true;
        }
        return false;
    }

    /// The ids of the node's connections as GET /api/websocket/connections lists them, by id.
    QList<quint64> serverIds()
    {
        const HttpReply reply = Test::http("GET", http(QStringLiteral("/api/websocket/connections")), {}, bearer(kAdminToken));
        QList<quint64> ids;
        for (const QJsonValue &c : reply.json().value(QLatin1String("connections")).toArray())
            ids << c.toObject().value(QLatin1String("id")).toString().toULongLong();
        std::sort(ids.begin(), ids.end());
        return ids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_child = std::make_unique<Child>(childArgs(m_dir.path()));
        m_port = m_child->waitForPort();
        QVERIFY(m_port != 0);
    }

    void refusesBadExpiredAndRevokedTokens()
    {
        // Garbage, a client JWT, a token of another secret, an expired one: error, then 4001.
        QString jti;
        const QByteArray expired = adminToken(AdminRole::Admin, QStringLiteral("old"), &jti,
                                              QDateTime::currentDateTimeUtc().addSecs(-7200), 60);
        const QByteArray foreign = AdminToken::mint(AdminRole::Admin, QStringLiteral("x"), 3600, "another-secret");
        const QList<QPair<QByteArray, QByteArray>> cases{{"not-a-token", {}}, {token(QStringLiteral("7")), {}},
                                                         {foreign, {}}, {expired, "token_expired"}};
        for (const auto &[bad, reason] : cases) {
            QJsonObject answer;
            auto client = channel(bad, &answer);
            QVERIFY(client);
            QCOMPARE(answer.value(QLatin1String("type")).toString(), QStringLiteral("error"));
            QCOMPARE(answer.value(QLatin1String("code")).toString(), QStringLiteral("unauthenticated"));
            QCOMPARE(answer.value(QLatin1String("v")).toInt(), 1);
            if (!reason.isEmpty())
                QCOMPARE(answer.value(QLatin1String("reason")).toString(), QString::fromLatin1(reason));
            QVERIFY(client->waitClosed());
            QCOMPARE(client->closeCode(), 4001);
        }

        // A revoked token: the open channel is closed within a summary's time, and a new
        // hello is refused with token_revoked.
        QString revokedJti;
        const QByteArray revoked = adminToken(AdminRole::Operator, QStringLiteral("leaver"), &revokedJti);
        QJsonObject welcome;
        auto open = channel(revoked, &welcome);
        QVERIFY(open);
        QCOMPARE(welcome.value(QLatin1String("type")).toString(), QStringLiteral("welcome"));
        QCOMPARE(welcome.value(QLatin1String("role")).toString(), QStringLiteral("operator"));
        QCOMPARE(welcome.value(QLatin1String("name")).toString(), QStringLiteral("leaver"));
        QCOMPARE(welcome.value(QLatin1String("actions")).toObject().value(QLatin1String("disconnect")).toString(), QStringLiteral("operator"));
        QCOMPARE(welcome.value(QLatin1String("actions")).toObject().value(QLatin1String("emit")).toString(), QStringLiteral("admin"));
        QCOMPARE(welcome.value(QLatin1String("actions")).toObject().value(QLatin1String("connection")).toString(), QStringLiteral("viewer"));
        QCOMPARE(welcome.value(QLatin1String("server")).toObject().value(QLatin1String("dataDir")).toString(), m_dir.path());
        const HttpReply revoke = Test::http("POST", http(QStringLiteral("/api/admin/tokens/revoke")),
                                            compact({{QStringLiteral("jti"), revokedJti}}), bearer(kAdminToken));
        QCOMPARE(revoke.status, 200);
        QVERIFY(open->waitClosed(5000));
        QCOMPARE(open->closeCode(), 4001);
        QJsonObject again;
        auto refused = channel(revoked, &again);
        QVERIFY(refused);
        QCOMPARE(again.value(QLatin1String("reason")).toString(), QStringLiteral("token_revoked"));
        QVERIFY(refused->waitClosed());
        QCOMPARE(refused->closeCode(), 4001);
        QVERIFY(audited(QStringLiteral("leaver"), QStringLiteral("admin_channel"), QStringLiteral("unauthenticated")));

        // The token may also come as Authorization on the upgrade; hello then omits it.
        WsClient header;
        QNetworkRequest request(channelUrl());
        request.setRawHeader("Authorization", "Bearer " + adminToken(AdminRole::Viewer, QStringLiteral("by-header")));
        header.socket().open(request);
        QTRY_COMPARE_WITH_TIMEOUT(header.socket().state(), QAbstractSocket::ConnectedState, 5000);
        header.send({{QStringLiteral("type"), QStringLiteral("hello")}, {QStringLiteral("v"), 1}});
        QCOMPARE(header.waitFor(QStringLiteral("welcome")).value(QLatin1String("name")).toString(), QStringLiteral("by-header"));
    }

    void viewerIsRefusedAndAudited()
    {
        WsClient user;
        const QJsonObject connected = user.connectAndWelcome(clientUrl(QStringLiteral("viewed")));
        QVERIFY(!connected.isEmpty());
        const QString id = connected.value(QLatin1String("connectionId")).toString();
        QJsonObject welcome;
        auto viewer = channel(adminToken(AdminRole::Viewer, QStringLiteral("viewer-ann")), &welcome);
        QVERIFY(viewer);
        QCOMPARE(welcome.value(QLatin1String("role")).toString(), QStringLiteral("viewer"));

        const QJsonObject disconnect = act(*viewer, 1, QStringLiteral("disconnect"), {{QStringLiteral("id"), id}, {QStringLiteral("code"), 4100}});
        QCOMPARE(disconnect.value(QLatin1String("ok")).toBool(true), false);
        QCOMPARE(disconnect.value(QLatin1String("result")).toString(), QStringLiteral("forbidden"));
        QVERIFY2(disconnect.value(QLatin1String("message")).toString().contains(QLatin1String("operator")), qPrintable(compact(disconnect)));
        const QJsonObject emitted = act(*viewer, 2, QStringLiteral("emit"), {{QStringLiteral("event"), QStringLiteral("x")}, {QStringLiteral("broadcast"), true}});
        QCOMPARE(emitted.value(QLatin1String("result")).toString(), QStringLiteral("forbidden"));
        const QJsonObject stop = act(*viewer, 3, QStringLiteral("stop"), {});
        QCOMPARE(stop.value(QLatin1String("result")).toString(), QStringLiteral("forbidden"));
        // What a viewer may do: read one connection.
        const QJsonObject detail = act(*viewer, 4, QStringLiteral("connection"), {{QStringLiteral("id"), id}});
        QCOMPARE(detail.value(QLatin1String("result")).toString(), QStringLiteral("ok"));
        QCOMPARE(detail.value(QLatin1String("data")).toObject().value(QLatin1String("userId")).toString(), QStringLiteral("viewed"));
        QVERIFY(detail.value(QLatin1String("data")).toObject().value(QLatin1String("rooms")).toArray().contains(QStringLiteral("user:viewed")));
        QCOMPARE(act(*viewer, 5, QStringLiteral("connection"), {{QStringLiteral("id"), QStringLiteral("999999")}})
                     .value(QLatin1String("result")).toString(), QStringLiteral("not_found"));
        QCOMPARE(act(*viewer, 6, QStringLiteral("no_such_action"), {}).value(QLatin1String("result")).toString(), QStringLiteral("invalid"));

        // The client is untouched; the refusals are in the audit log with who and what.
        QVERIFY(!user.isClosed());
        QTRY_VERIFY_WITH_TIMEOUT(audited(QStringLiteral("viewer-ann"), QStringLiteral("disconnect"), QStringLiteral("forbidden")), 5000);
        QVERIFY(audited(QStringLiteral("viewer-ann"), QStringLiteral("internal.emit"), QStringLiteral("forbidden")));
        QVERIFY(audited(QStringLiteral("viewer-ann"), QStringLiteral("server.stop"), QStringLiteral("forbidden")));
    }

    void operatorDisconnects()
    {
        WsClient user;
        const QJsonObject connected = user.connectAndWelcome(clientUrl(QStringLiteral("leaving")));
        QVERIFY(!connected.isEmpty());
        QJsonObject welcome;
        auto op = channel(adminToken(AdminRole::Operator, QStringLiteral("op-olga")), &welcome);
        QVERIFY(op);
        const QJsonObject result = act(*op, 7, QStringLiteral("disconnect"),
                                       {{QStringLiteral("id"), connected.value(QLatin1String("connectionId"))},
                                        {QStringLiteral("code"), 4321}, {QStringLiteral("reason"), QStringLiteral("maintenance")}});
        QVERIFY2(result.value(QLatin1String("ok")).toBool(), qPrintable(compact(result)));
        QCOMPARE(result.value(QLatin1String("result")).toString(), QStringLiteral("ok"));
        QVERIFY(user.waitClosed());
        QCOMPARE(user.closeCode(), 4321);
        QCOMPARE(user.closeReason(), QStringLiteral("maintenance"));
        // An emit is the admin's.
        QCOMPARE(act(*op, 8, QStringLiteral("emit"), {{QStringLiteral("event"), QStringLiteral("x")}, {QStringLiteral("broadcast"), true}})
                     .value(QLatin1String("result")).toString(), QStringLiteral("forbidden"));
        QTRY_VERIFY_WITH_TIMEOUT(audited(QStringLiteral("op-olga"), QStringLiteral("disconnect"), QStringLiteral("ok")), 5000);
    }

    void adminEmitReachesClient()
    {
        WsClient user;
        QVERIFY(!user.connectAndWelcome(clientUrl(QStringLiteral("reader"))).isEmpty());
        QJsonObject welcome;
        auto admin = channel(adminToken(AdminRole::Admin, QStringLiteral("root-rita")), &welcome);
        QVERIFY(admin);
        const QJsonObject result = act(*admin, 9, QStringLiteral("emit"),
                                       {{QStringLiteral("event"), QStringLiteral("notice")}, {QStringLiteral("userId"), QStringLiteral("reader")},
                                        {QStringLiteral("payload"), QJsonObject{{QStringLiteral("text"), QStringLiteral("hi")}}}});
        QVERIFY2(result.value(QLatin1String("ok")).toBool(), qPrintable(compact(result)));
        QCOMPARE(result.value(QLatin1String("data")).toObject().value(QLatin1String("delivered")).toInt(), 1);
        const QJsonObject event = user.waitFor(QStringLiteral("notice"));
        QCOMPARE(event.value(QLatin1String("data")).toObject().value(QLatin1String("text")).toString(), QStringLiteral("hi"));
        // Allowed emits from the channel are audited too (the HTTP data plane audits refusals only).
        QTRY_VERIFY_WITH_TIMEOUT(audited(QStringLiteral("root-rita"), QStringLiteral("internal.emit"), QStringLiteral("ok")), 5000);
        // An invalid emit gets a typed "invalid".
        QCOMPARE(act(*admin, 10, QStringLiteral("emit"), {{QStringLiteral("payload"), 1}}).value(QLatin1String("result")).toString(),
                 QStringLiteral("invalid"));
    }

    void summaryAboutOncePerSecond()
    {
        QJsonObject welcome;
        auto viewer = channel(adminToken(AdminRole::Viewer, QStringLiteral("watcher")), &welcome);
        QVERIFY(viewer);
        QList<qint64> arrivals;
        QElapsedTimer clock;
        clock.start();
        QJsonObject last;
        connect(&viewer->socket(), &QWebSocket::textMessageReceived, this, [&](const QString &text) {
            const QJsonObject m = QJsonDocument::fromJson(text.toUtf8()).object();
            if (m.value(QLatin1String("type")).toString() == QLatin1String("summary")) {
                arrivals << clock.elapsed();
                last = m;
            }
        });
        QTRY_VERIFY_WITH_TIMEOUT(arrivals.size() >= 7, 12000);
        // Six intervals after the first: about six seconds (the hub ticks every 250 ms).
        const qint64 span = arrivals.at(6) - arrivals.at(0);
        QVERIFY2(span >= 4500 && span <= 7500, qPrintable(QString::number(span)));
        for (int i = 1; i < 7; ++i)
            QVERIFY2(arrivals.at(i) - arrivals.at(i - 1) >= 500, qPrintable(QString::number(arrivals.at(i) - arrivals.at(i - 1))));
        QCOMPARE(last.value(QLatin1String("v")).toInt(), 1);
        QVERIFY(last.value(QLatin1String("running")).toBool());
        QVERIFY(last.value(QLatin1String("nodes")).toArray().size() == 1);
        QVERIFY(last.value(QLatin1String("nodes")).toArray().at(0).toObject().value(QLatin1String("up")).toBool());
        QVERIFY(last.value(QLatin1String("sample")).toObject().contains(QLatin1String("p99Ms")));
        QVERIFY(last.contains(QLatin1String("totalConnections")));
    }

    void pagedConnectionsFollowChurn()
    {
        constexpr int kOffset = 3;
        constexpr int kLimit = 10;
        std::vector<std::unique_ptr<QWebSocket>> clients;
        auto openOne = [&](int n) {
            auto socket = std::make_unique<QWebSocket>();
            socket->open(clientUrl(QStringLiteral("churn-%1").arg(n)));
            clients.push_back(std::move(socket));
        };
        const qsizetype before = serverIds().size();
        for (int i = 0; i < 30; ++i)
            openOne(i);
        QTRY_VERIFY_WITH_TIMEOUT(serverIds().size() >= before + 30, 10000);

        QJsonObject welcome;
        auto viewer = channel(adminToken(AdminRole::Viewer, QStringLiteral("pager")), &welcome);
        QVERIFY(viewer);
        PageModel model;
        connect(&viewer->socket(), &QWebSocket::textMessageReceived, this, [&](const QString &text) {
            model.apply(QJsonDocument::fromJson(text.toUtf8()).object(), kOffset, kLimit);
        });
        viewer->send({{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("v"), 1},
                      {QStringLiteral("stream"), QStringLiteral("connections")},
                      {QStringLiteral("query"), QJsonObject{{QStringLiteral("sort"), QStringLiteral("id")}, {QStringLiteral("desc"), true},
                                                            {QStringLiteral("offset"), kOffset}, {QStringLiteral("limit"), kLimit}}}});
        QTRY_VERIFY_WITH_TIMEOUT(model.messages >= 1, 5000);

        // Churn for four seconds: every 100 ms one client goes and another comes.
        std::mt19937 random(17);
        QElapsedTimer churn;
        churn.start();
        int next = 30;
        while (churn.elapsed() < 4000) {
            const size_t victim = random() % clients.size();
            clients[victim]->close();
            clients.erase(clients.begin() + qsizetype(victim));
            openOne(next++);
            QTest::qWait(100); // the churn's pace, not a synchronisation
        }
        QVERIFY2(model.messages >= 3, qPrintable(QString::number(model.messages)));
        QVERIFY2(model.violation.isEmpty(), qPrintable(model.violation));

        // Settled: the page is the server's own list, newest first, from the offset.
        auto matches = [&]() {
            const QList<quint64> ids = serverIds();
            QStringList expected;
            for (qsizetype i = ids.size() - 1 - kOffset; i >= 0 && expected.size() < kLimit; --i)
                expected << QString::number(ids.at(i));
            if (expected != model.order || model.total != ids.size())
                return false;
            for (const QString &id : std::as_const(expected)) {
                const QJsonObject &row = model.rows.at(id);
                if (row.value(QLatin1String("id")).toString() != id || row.value(QLatin1String("node")).toString().isEmpty())
                    return false;
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(matches(), 10000);
        QVERIFY2(model.violation.isEmpty(), qPrintable(model.violation));
        QVERIFY(model.rows.at(model.order.constFirst()).value(QLatin1String("userId")).toString().startsWith(QLatin1String("churn-")));

        // A quiet page sends nothing further: no diff when nothing changed.
        const int settled = model.messages;
        QTest::qWait(2500); // a window in which nothing may arrive
        QCOMPARE(model.messages, settled);

        // A bad query is refused with its reason, the subscription unchanged.
        viewer->send({{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("v"), 1},
                      {QStringLiteral("stream"), QStringLiteral("connections")},
                      {QStringLiteral("query"), QJsonObject{{QStringLiteral("limit"), 5000}}}});
        const QJsonObject error = viewer->waitFor(QStringLiteral("error"));
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("invalid"));
        QVERIFY(error.value(QLatin1String("message")).toString().contains(QLatin1String("limit")));
    }

    void everyStreamAndQueueAction()
    {
        QJsonObject welcome;
        auto admin = channel(adminToken(AdminRole::Admin, QStringLiteral("streamer")), &welcome);
        QVERIFY(admin);
        QCOMPARE(welcome.value(QLatin1String("streams")).toArray().size(), 7);
        auto subscribe = [&](const QString &stream, const QJsonObject &query) {
            admin->send({{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("v"), 1},
                         {QStringLiteral("stream"), stream}, {QStringLiteral("query"), query}});
        };
        // Waits for the next message of @p type on @p stream (others of that stream are skipped).
        auto next = [&](const QString &type, const QString &stream) {
            QElapsedTimer timer;
            timer.start();
            while (timer.elapsed() < 8000) {
                const QJsonObject m = admin->waitFor(type, 8000 - int(timer.elapsed()));
                if (m.isEmpty() || m.value(QLatin1String("stream")).toString() == stream)
                    return m;
            }
            return QJsonObject();
        };

        // Queues: an enqueue through the channel shows up as a diff of the queues stream.
        subscribe(QStringLiteral("queues"), {});
        QVERIFY(!next(QStringLiteral("snapshot"), QStringLiteral("queues")).isEmpty());
        const QJsonObject enqueued = act(*admin, 20, QStringLiteral("enqueue"),
                                         {{QStringLiteral("queue"), QStringLiteral("chan_jobs")},
                                          {QStringLiteral("payload"), QJsonObject{{QStringLiteral("n"), 1}}}, {QStringLiteral("priority"), QStringLiteral("high")}});
        QVERIFY2(enqueued.value(QLatin1String("ok")).toBool(), qPrintable(compact(enqueued)));
        QVERIFY(!enqueued.value(QLatin1String("data")).toObject().value(QLatin1String("id")).toString().isEmpty());
        QJsonObject diff;
        bool ready = false;
        for (int i = 0; i < 5 && !ready; ++i) { // one diff a second at most
            diff = next(QStringLiteral("diff"), QStringLiteral("queues"));
            for (const QJsonValue &row : diff.value(QLatin1String("upsert")).toArray()) {
                if (row.toObject().value(QLatin1String("name")).toString() == QLatin1String("chan_jobs"))
                    ready = row.toObject().value(QLatin1String("ready")).toInt() == 1;
            }
        }
        QVERIFY2(ready, qPrintable(compact(diff)));
        QVERIFY(diff.value(QLatin1String("order")).toArray().contains(QStringLiteral("chan_jobs")));
        QCOMPARE(act(*admin, 21, QStringLiteral("enqueue"), {{QStringLiteral("queue"), QStringLiteral("chan_jobs")}})
                     .value(QLatin1String("result")).toString(), QStringLiteral("invalid"));

        // Dead letters: none yet; an unknown queue says so.
        subscribe(QStringLiteral("deadletters"), {{QStringLiteral("queue"), QStringLiteral("chan_jobs")}});
        const QJsonObject dead = next(QStringLiteral("snapshot"), QStringLiteral("deadletters"));
        QCOMPARE(dead.value(QLatin1String("total")).toInt(-1), 0);
        QCOMPARE(dead.value(QLatin1String("queue")).toString(), QStringLiteral("chan_jobs"));
        subscribe(QStringLiteral("deadletters"), {{QStringLiteral("queue"), QStringLiteral("no_such_queue")}});
        QCOMPARE(next(QStringLiteral("snapshot"), QStringLiteral("deadletters")).value(QLatin1String("error")).toString(), QStringLiteral("unknown_queue"));
        QCOMPARE(act(*admin, 22, QStringLiteral("retry_dead"), {{QStringLiteral("queue"), QStringLiteral("chan_jobs")}, {QStringLiteral("id"), 0}})
                     .value(QLatin1String("data")).toObject().value(QLatin1String("retried")).toInt(-1), 0);
        QCOMPARE(act(*admin, 23, QStringLiteral("purge_dead"), {{QStringLiteral("queue"), QStringLiteral("chan_jobs")}})
                     .value(QLatin1String("result")).toString(), QStringLiteral("ok"));
        QCOMPARE(act(*admin, 24, QStringLiteral("purge_dead"), {{QStringLiteral("queue"), QStringLiteral("no_such_queue")}})
                     .value(QLatin1String("result")).toString(), QStringLiteral("not_found"));

        // History: a snapshot of samples, then appends.
        subscribe(QStringLiteral("history"), {});
        const QJsonObject history = next(QStringLiteral("snapshot"), QStringLiteral("history"));
        QVERIFY(!history.value(QLatin1String("samples")).toArray().isEmpty());
        QVERIFY(history.value(QLatin1String("samples")).toArray().last().toObject().contains(QLatin1String("messagesOutPerSec")));
        QVERIFY(!next(QStringLiteral("append"), QStringLiteral("history")).value(QLatin1String("samples")).toArray().isEmpty());

        // Bridges: the GET /api/bridges object.
        subscribe(QStringLiteral("bridges"), {});
        QVERIFY(next(QStringLiteral("snapshot"), QStringLiteral("bridges")).value(QLatin1String("data")).isObject());

        // Rooms and events: a client that connects and joins appears in both; a join and a
        // leave through the channel.
        subscribe(QStringLiteral("rooms"), {{QStringLiteral("filter"), QStringLiteral("streamed")}});
        QCOMPARE(next(QStringLiteral("snapshot"), QStringLiteral("rooms")).value(QLatin1String("total")).toInt(-1), 0);
        subscribe(QStringLiteral("events"), {{QStringLiteral("filter"), QStringLiteral("streamed")}});
        WsClient user;
        const QJsonObject connected = user.connectAndWelcome(clientUrl(QStringLiteral("streamed")));
        QVERIFY(!connected.isEmpty());
        const QJsonObject roomsDiff = next(QStringLiteral("diff"), QStringLiteral("rooms"));
        QVERIFY2(roomsDiff.value(QLatin1String("order")).toArray().contains(QStringLiteral("user:streamed")), qPrintable(compact(roomsDiff)));
        bool seen = false;
        QJsonObject events;
        for (int i = 0; i < 5 && !seen; ++i) {
            events = next(QStringLiteral("events"), QStringLiteral("events"));
            for (const QJsonValue &e : events.value(QLatin1String("entries")).toArray())
                seen = seen || e.toObject().value(QLatin1String("userId")).toString() == QLatin1String("streamed");
        }
        QVERIFY2(seen, qPrintable(compact(events)));
        const QJsonValue id = connected.value(QLatin1String("connectionId"));
        QVERIFY(act(*admin, 25, QStringLiteral("join"), {{QStringLiteral("id"), id}, {QStringLiteral("room"), QStringLiteral("streamed/lobby")}})
                    .value(QLatin1String("ok")).toBool());
        QTRY_VERIFY_WITH_TIMEOUT(act(*admin, 26, QStringLiteral("connection"), {{QStringLiteral("id"), id}})
                                     .value(QLatin1String("data")).toObject().value(QLatin1String("rooms")).toArray().contains(QStringLiteral("streamed/lobby")), 5000);
        QVERIFY(act(*admin, 27, QStringLiteral("leave"), {{QStringLiteral("id"), id}, {QStringLiteral("room"), QStringLiteral("streamed/lobby")}})
                    .value(QLatin1String("ok")).toBool());
        // Unsubscribed streams stop.
        admin->send({{QStringLiteral("type"), QStringLiteral("unsubscribe")}, {QStringLiteral("v"), 1}, {QStringLiteral("stream"), QStringLiteral("history")}});
        QVERIFY(admin->receives(QStringLiteral("summary"), 3000)); // the unsubscribe is through
        while (!admin->waitFor(QStringLiteral("append"), 0).isEmpty()) {
        }
        QVERIFY(!admin->receives(QStringLiteral("append"), 2500));
    }

    void channelLimits()
    {
        // A frame over 64 KiB closes with 1009.
        {
            QJsonObject welcome;
            auto admin = channel(kAdminToken, &welcome);
            QVERIFY(admin);
            QCOMPARE(welcome.value(QLatin1String("type")).toString(), QStringLiteral("welcome"));
            QCOMPARE(welcome.value(QLatin1String("name")).toString(), QStringLiteral("static"));
            admin->sendRaw(QString(70 * 1024, QLatin1Char('x')));
            QVERIFY(admin->waitClosed());
            QCOMPARE(admin->closeCode(), 1009);
        }
        // Another version: 4400.
        {
            WsClient client;
            QVERIFY(client.open(channelUrl()));
            client.send({{QStringLiteral("type"), QStringLiteral("hello")}, {QStringLiteral("v"), 2},
                         {QStringLiteral("token"), QString::fromLatin1(kAdminToken)}});
            QVERIFY(client.waitClosed());
            QCOMPARE(client.closeCode(), 4400);
        }
        // No hello within 5 s: 4001.
        {
            WsClient client;
            QVERIFY(client.open(channelUrl()));
            QVERIFY(client.waitClosed(8000));
            QCOMPARE(client.closeCode(), 4001);
        }
        // Over 20 frames a second: rate_limited, the channel stays.
        {
            QJsonObject welcome;
            auto admin = channel(kAdminToken, &welcome);
            QVERIFY(admin);
            for (int i = 0; i < 80; ++i)
                admin->send({{QStringLiteral("type"), QStringLiteral("unsubscribe")}, {QStringLiteral("v"), 1}, {QStringLiteral("stream"), QStringLiteral("rooms")}});
            const QJsonObject error = admin->waitFor(QStringLiteral("error"));
            QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("rate_limited"));
            QVERIFY(admin->receives(QStringLiteral("summary"), 3000));
            QVERIFY(!admin->isClosed());
        }
        // A plain GET on the endpoint is told to upgrade.
        QCOMPARE(Test::http("GET", http(QStringLiteral("/admin/ws"))).status, 426);
    }

    void channelCountIsCapped()
    {
        QTemporaryDir dir;
        Child child(childArgs(dir.path()) << QStringLiteral("--max-admin-channels") << QStringLiteral("2"));
        const quint16 port = child.waitForPort();
        QVERIFY(port != 0);
        const QUrl url(QStringLiteral("ws://127.0.0.1:%1/admin/ws").arg(port));
        QJsonObject a, b, c;
        auto first = channel(kAdminToken, &a, url);
        auto second = channel(kAdminToken, &b, url);
        QVERIFY(first && second);
        QCOMPARE(a.value(QLatin1String("type")).toString(), QStringLiteral("welcome"));
        QCOMPARE(b.value(QLatin1String("type")).toString(), QStringLiteral("welcome"));
        WsClient third;
        QVERIFY(third.open(url));
        third.send({{QStringLiteral("type"), QStringLiteral("hello")}, {QStringLiteral("v"), 1},
                    {QStringLiteral("token"), QString::fromLatin1(kAdminToken)}});
        const QJsonObject error = third.waitFor(QStringLiteral("error"));
        QCOMPARE(error.value(QLatin1String("code")).toString(), QStringLiteral("too_many_channels"));
        QVERIFY(third.waitClosed());
        // QtWebSockets 6.4 reports 1013 as 1002 ("Invalid close code"): the close frame itself
        // is read on a raw socket.
        const int fd = Raw::openWebSocket(port, "/admin/ws");
        QVERIFY(fd >= 0);
        QVERIFY(Raw::sendAll(fd, maskedText(compact({{QStringLiteral("type"), QStringLiteral("hello")}, {QStringLiteral("v"), 1},
                                                       {QStringLiteral("token"), QString::fromLatin1(kAdminToken)}}))));
        QByteArray bytes;
        while (bytes.indexOf("too many admin channels") < 0 && Raw::readMore(fd, &bytes, 5000)) {
        }
        ::close(fd);
        const qsizetype close = bytes.indexOf(char(0x88));
        QVERIFY2(close >= 0 && close + 4 <= bytes.size(), bytes.toHex().constData());
        QCOMPARE((quint8(bytes[close + 2]) << 8) | quint8(bytes[close + 3]), 1013);
        // A closed channel frees its place. (Each try opens a channel and waits for its
        // answer, which takes a while on a loaded machine: the bound is generous.)
        first->socket().close();
        QVERIFY(first->waitClosed());
        QTRY_VERIFY_WITH_TIMEOUT([&] {
            QJsonObject answer;
            auto again = channel(kAdminToken, &answer, url);
            return again && answer.value(QLatin1String("type")).toString() == QLatin1String("welcome");
        }(), 20000);
    }

    void slowConsumerIsDropped()
    {
        // 64 KiB of outbound budget; a console that subscribes to 1,000 long room names again
        // and again and never reads would otherwise make the server hold megabytes.
        QTemporaryDir dir;
        Child child(childArgs(dir.path()) << QStringLiteral("--max-pending-bytes") << QStringLiteral("65536")
                                          << QStringLiteral("--rate-limit") << QStringLiteral("100000")
                                          << QStringLiteral("--rate-burst") << QStringLiteral("100000"));
        const quint16 port = child.waitForPort();
        QVERIFY(port != 0);
        WsClient user;
        QVERIFY(!user.connectAndWelcome(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(port).arg(QString::fromLatin1(token(QStringLiteral("many"))))))
                     .isEmpty());
        for (int i = 0; i < 999; ++i) {
            user.send({{QStringLiteral("type"), QStringLiteral("subscribe")},
                       {QStringLiteral("channel"), QStringLiteral("room-%1-").arg(i, 4, 10, QLatin1Char('0')) + QString(180, QLatin1Char('r'))}});
        }
        QElapsedTimer joined;
        joined.start();
        int subscribed = 0;
        while (subscribed < 999 && joined.elapsed() < 20000) {
            if (user.waitFor(QStringLiteral("subscribed"), 1000).isEmpty())
                continue;
            ++subscribed;
        }
        QCOMPARE(subscribed, 999);

        const qint64 rssBefore = child.rssKiB();
        const int fd = Raw::openWebSocket(port, "/admin/ws");
        QVERIFY(fd >= 0);
        const int small = 4096;
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
        QVERIFY(Raw::sendAll(fd, maskedText(compact({{QStringLiteral("type"), QStringLiteral("hello")}, {QStringLiteral("v"), 1},
                                                       {QStringLiteral("token"), QString::fromLatin1(kAdminToken)}}))));
        const QByteArray subscribe = maskedText(compact({{QStringLiteral("type"), QStringLiteral("subscribe")}, {QStringLiteral("v"), 1},
                                                         {QStringLiteral("stream"), QStringLiteral("rooms")},
                                                         {QStringLiteral("query"), QJsonObject{{QStringLiteral("limit"), 1000}}}}));
        // Each subscribe answers with a fresh snapshot of about 200 KB; nothing is read.
        QElapsedTimer timer;
        timer.start();
        bool dropped = false;
        qint64 offered = 0;
        while (timer.elapsed() < 30000) {
            if (!Raw::sendAll(fd, subscribe)) {
                dropped = true;
                break;
            }
            offered += 200 * 1024;
            QTest::qWait(60); // under the channel's 20 frames per second
        }
        ::close(fd);
        QVERIFY2(dropped, "the server kept a console that reads nothing");
        const qint64 growth = child.rssKiB() - rssBefore;
        QVERIFY2(growth < 40 * 1024, qPrintable(QStringLiteral("RSS grew %1 KiB while %2 KiB were offered").arg(growth).arg(offered / 1024)));
        const HttpReply metrics = Test::http("GET", QUrl(QStringLiteral("http://127.0.0.1:%1/api/metrics").arg(port)));
        QVERIFY(metrics.json().value(QLatin1String("slowConsumers")).toInt() >= 1);
        QVERIFY(child.stderrText().contains("admin channel"));
    }

    void httpDrainAndStop()
    {
        QTemporaryDir dir;
        Child child(childArgs(dir.path()));
        const quint16 port = child.waitForPort();
        QVERIFY(port != 0);
        auto url = [port](const QString &path) { return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(port).arg(path)); };
        std::vector<std::unique_ptr<WsClient>> users;
        for (int i = 0; i < 3; ++i) {
            users.push_back(std::make_unique<WsClient>());
            QVERIFY(!users.back()->connectAndWelcome(QUrl(QStringLiteral("ws://127.0.0.1:%1/ws?token=%2").arg(port).arg(QString::fromLatin1(token(QStringLiteral("d%1").arg(i)))))).isEmpty());
        }
        QJsonObject welcome;
        auto watcher = channel(adminToken(AdminRole::Viewer, QStringLiteral("watching")), &welcome,
                               QUrl(QStringLiteral("ws://127.0.0.1:%1/admin/ws").arg(port)));
        QVERIFY(watcher);

        const QByteArray viewer = adminToken(AdminRole::Viewer, QStringLiteral("v"));
        const QByteArray op = adminToken(AdminRole::Operator, QStringLiteral("o"));
        QCOMPARE(Test::http("POST", url(QStringLiteral("/api/admin/drain")), "{}", bearer(viewer)).status, 403);
        QCOMPARE(Test::http("POST", url(QStringLiteral("/api/admin/drain")), "{}", bearer(op)).status, 403);
        const HttpReply drain = Test::http("POST", url(QStringLiteral("/api/admin/drain")), "{}", bearer(adminToken(AdminRole::Admin, QStringLiteral("a"))));
        QCOMPARE(drain.status, 202);
        QCOMPARE(drain.json().value(QLatin1String("result")).toString(), QStringLiteral("ok"));
        QCOMPARE(drain.json().value(QLatin1String("draining")).toBool(), true);
        for (const auto &user : users) {
            QVERIFY(user->waitClosed());
            QCOMPARE(user->closeCode(), 1001);
        }
        // No new client session; the admin channel and the API stay.
        const Raw::HttpResponse refused = [&] {
            const int fd = Raw::connectTcp(port);
            Raw::sendAll(fd, "GET /ws?token=" + token(QStringLiteral("late")) + " HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
            const Raw::HttpResponse r = Raw::readResponse(fd);
            ::close(fd);
            return r;
        }();
        QCOMPARE(refused.status, 503);
        QVERIFY(watcher->receives(QStringLiteral("summary"), 3000));
        QVERIFY(!watcher->isClosed());

        QCOMPARE(Test::http("POST", url(QStringLiteral("/api/admin/stop")), "{}", bearer(op)).status, 403);
        const HttpReply stop = Test::http("POST", url(QStringLiteral("/api/admin/stop")), "{}", bearer(kAdminToken));
        QCOMPARE(stop.status, 202);
        QCOMPARE(stop.json().value(QLatin1String("stopping")).toBool(), true);
        // The SIGTERM path: the channel closed with 1001, the process exits 0.
        QVERIFY(watcher->waitClosed(10000));
        QCOMPARE(watcher->closeCode(), 1001);
        QVERIFY(child.waitExited(10000));
        QCOMPARE(child.process().exitStatus(), QProcess::NormalExit);
        QCOMPARE(child.process().exitCode(), 0);
        QVERIFY(child.stderrText().contains("stop requested by an admin"));
        // Both are in the audit log (read from the file: the node is down).
        QFile log(dir.path() + QStringLiteral("/audit.log"));
        QVERIFY(log.open(QIODevice::ReadOnly));
        const QByteArray lines = log.readAll();
        QVERIFY(lines.contains("\"action\":\"server.drain\""));
        QVERIFY(lines.contains("\"action\":\"server.stop\""));
    }
};

QTEST_MAIN(TestAdminChannel)
#include "tst_adminchannel.moc"

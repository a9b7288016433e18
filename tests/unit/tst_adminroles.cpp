// Admin roles (docs/operations.md, "Roles and audit"): every admin route is in the role table
// and a route missing from it is refused to everyone; each role against each action; admin
// token minting, TTL parsing and the reasons a token is refused.
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include "admin/adminauth.h"
#include "admin/adminroles.h"
#include "auth/admintoken.h"
#include "auth/jwt.h"
#include "http/admingate.h"
#include "http/router.h"
#include "server.h"

using namespace Switchboard;

namespace {

const QByteArray kAdminSecret = QByteArrayLiteral("unit-admin-secret");
const QByteArray kStatic = QByteArrayLiteral("unit-static-token");
const QDateTime kNow = QDateTime::fromSecsSinceEpoch(1700000000, Qt::UTC);

ServerConfig config()
{
    ServerConfig c;
    c.port = 0;
    c.jwtSecret = QStringLiteral("unit-client-secret");
    c.adminSecret = QString::fromLatin1(kAdminSecret);
    c.adminToken = QString::fromLatin1(kStatic);
    c.internalKey = QStringLiteral("unit-internal-key");
    return c;
}

RequestData request(QHttpServerRequest::Method method, const QString &path, const QByteArray &bearer)
{
    return RequestData(method, QUrl(QStringLiteral("http://127.0.0.1") + path),
                       {{QByteArrayLiteral("authorization"), QByteArrayLiteral("Bearer ") + bearer}}, {},
                       QHostAddress::LocalHost);
}

} // namespace

class tst_AdminRoles : public QObject
{
    Q_OBJECT

private slots:
    void everyAdminRouteIsInTheTable();
    void unlistedRouteIsRefusedToEveryone();
    void rolesAgainstActions_data();
    void rolesAgainstActions();
    void ttl_data();
    void ttl();
    void verify_data();
    void verify();
};

void tst_AdminRoles::everyAdminRouteIsInTheTable()
{
    Server server(config());
    Router router;
    registerApiRoutes(router, server);
    const QStringList admin = router.adminRoutes();
    QVERIFY2(admin.size() >= 20, qPrintable(admin.join(QLatin1Char('\n'))));
    QVERIFY2(router.adminRoutesWithoutRole().isEmpty(), qPrintable(router.adminRoutesWithoutRole().join(QLatin1Char('\n'))));
    // And the table has no stale rows: each names a registered route and a known action.
    qsizetype count = 0;
    const AdminRoles::RouteRule *rules = AdminRoles::routeRules(&count);
    for (qsizetype i = 0; i < count; ++i) {
        QVERIFY2(AdminRoles::action(QLatin1String(rules[i].action)), rules[i].action);
        const bool registered = std::any_of(admin.cbegin(), admin.cend(), [&](const QString &route) {
            return route.endsWith(QLatin1Char(' ') + QLatin1String(rules[i].pattern));
        });
        QVERIFY2(registered, rules[i].pattern);
    }
    QCOMPARE(count, admin.size());
}

void tst_AdminRoles::unlistedRouteIsRefusedToEveryone()
{
    Server server(config());
    Router router;
    router.add(QHttpServerRequest::Method::Post, QStringLiteral("/api/brand-new"), Router::Access::Admin,
               [](const HttpRequest &) { return HttpResponse::json(QJsonObject{}); });
    QCOMPARE(router.adminRoutesWithoutRole(), QStringList{QStringLiteral("POST /api/brand-new")});
    const auto decision = AdminGate::check(nullptr, request(QHttpServerRequest::Method::Post, QStringLiteral("/api/brand-new"), kStatic),
                                           {}, server);
    QVERIFY(decision.refusal);
    QCOMPARE(decision.refusal->status, 403);
    QCOMPARE(QJsonDocument::fromJson(decision.refusal->body).object().value("reason").toString(), QStringLiteral("route_without_role"));
    qint64 maxBody = 0;
    const auto head = router.checkHead(request(QHttpServerRequest::Method::Post, QStringLiteral("/api/brand-new"), kStatic), server, &maxBody);
    QVERIFY(head);
    QCOMPARE(head->status, 403);
}

void tst_AdminRoles::rolesAgainstActions_data()
{
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("action");
    QTest::addColumn<bool>("allowed");
    const QStringList operatorActions{"disconnect", "join", "leave", "dlq.retry"};
    const QStringList adminActions{"emit", "cluster.emit", "dlq.purge", "server.stop", "server.drain", "server.undrain", "token.revoke", "token.mint",
                                   "audit.read", "internal.emit", "queue.enqueue"};
    qsizetype count = 0;
    const AdminRoles::Action *all = AdminRoles::actions(&count);
    for (const QString role : {"viewer", "operator", "admin"}) {
        for (qsizetype i = 0; i < count; ++i) {
            const QString action = QLatin1String(all[i].name);
            const bool needsOperator = operatorActions.contains(action);
            const bool needsAdmin = adminActions.contains(action);
            const bool allowed = role == QLatin1String("admin") || (role == QLatin1String("operator") && !needsAdmin)
                || (!needsOperator && !needsAdmin);
            QTest::addRow("%s %s", qPrintable(role), qPrintable(action)) << role << action << allowed;
        }
    }
}

void tst_AdminRoles::rolesAgainstActions()
{
    QFETCH(QString, role);
    QFETCH(QString, action);
    QFETCH(bool, allowed);
    Server server(config());
    AdminRole r = AdminRole::None;
    QVERIFY(parseAdminRole(role, &r));
    const QByteArray token = AdminToken::mint(r, QStringLiteral("unit"), 600, kAdminSecret);
    const auto decision = AdminGate::check(AdminRoles::action(action), request(QHttpServerRequest::Method::Post, QStringLiteral("/x"), token),
                                           {QStringLiteral("17")}, server);
    QCOMPARE(!decision.refusal, allowed);
    QCOMPARE(decision.caller.role, r);
    if (!allowed) {
        QCOMPARE(decision.refusal->status, 403);
        const QJsonObject body = QJsonDocument::fromJson(decision.refusal->body).object();
        QCOMPARE(body.value("action").toString(), action);
        QCOMPARE(body.value("target").toString(), QStringLiteral("17"));
        QCOMPARE(body.value("role").toString(), role);
        QCOMPARE(body.value("required").toString(), adminRoleName(AdminRoles::action(action)->role));
        QCOMPARE(body.value("ok").toBool(true), false);
    }
}

void tst_AdminRoles::ttl_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("seconds");
    QTest::addRow("minutes") << "30m" << qint64(1800);
    QTest::addRow("hours") << "8h" << qint64(8 * 3600);
    QTest::addRow("days") << "7d" << qint64(7 * 86400);
    QTest::addRow("seconds") << "120s" << qint64(120);
    QTest::addRow("bare seconds") << "3600" << qint64(3600);
    QTest::addRow("90 days") << "90d" << qint64(90 * 86400);
    QTest::addRow("too short") << "30s" << qint64(-1);
    QTest::addRow("too long") << "91d" << qint64(-1);
    QTest::addRow("overflow") << "99999999999999999d" << qint64(-1);
    QTest::addRow("zero") << "0h" << qint64(-1);
    QTest::addRow("negative") << "-1h" << qint64(-1);
    QTest::addRow("unit") << "5w" << qint64(-1);
    QTest::addRow("empty") << "" << qint64(-1);
}

void tst_AdminRoles::ttl()
{
    QFETCH(QString, text);
    QFETCH(qint64, seconds);
    QString why;
    QCOMPARE(AdminToken::parseTtl(text, &why), seconds);
    QCOMPARE(why.isEmpty(), seconds > 0);
}

void tst_AdminRoles::verify_data()
{
    QTest::addColumn<QByteArray>("token");
    QTest::addColumn<QString>("reason");
    const qint64 now = kNow.toSecsSinceEpoch();
    auto claims = [now](qint64 exp) {
        return QJsonObject{{"aud", "switchboard-admin"}, {"sub", "ops"}, {"role", "operator"}, {"jti", "j1"}, {"iat", now}, {"exp", exp}};
    };
    QTest::addRow("good") << Jwt::sign(claims(now + 60), kAdminSecret) << "ok";
    QTest::addRow("minted") << AdminToken::mint(AdminRole::Viewer, QStringLiteral("v"), 600, kAdminSecret, nullptr, kNow) << "ok";
    QTest::addRow("expired") << Jwt::sign(claims(now - 1), kAdminSecret) << "token_expired";
    QTest::addRow("other secret") << Jwt::sign(claims(now + 60), "other") << "bad_signature";
    QTest::addRow("client token") << Jwt::mint(QStringLiteral("alice"), QStringLiteral("admin"), {}, 600, kAdminSecret) << "wrong_audience";
    QJsonObject noRole = claims(now + 60);
    noRole.insert("role", "root");
    QTest::addRow("unknown role") << Jwt::sign(noRole, kAdminSecret) << "bad_claims";
    QJsonObject noJti = claims(now + 60);
    noJti.remove("jti");
    QTest::addRow("no jti") << Jwt::sign(noJti, kAdminSecret) << "bad_claims";
    QJsonObject noExp = claims(now + 60);
    noExp.remove("exp");
    QTest::addRow("no exp") << Jwt::sign(noExp, kAdminSecret) << "bad_claims";
    QTest::addRow("garbage") << QByteArray("a.b.c") << "malformed_token";
}

void tst_AdminRoles::verify()
{
    QFETCH(QByteArray, token);
    QFETCH(QString, reason);
    const AdminToken::Verified v = AdminToken::verify(token, kAdminSecret, kNow);
    QCOMPARE(AdminToken::failureCode(v.failure), reason);
    QVERIFY(v.ok() || !v.message.isEmpty());
}

QTEST_MAIN(tst_AdminRoles)
#include "tst_adminroles.moc"

// Unit tests for Switchboard::RoomPolicy: auto-joined rooms and subscription rules.
#include <QtCore/QJsonArray>
#include <QtTest/QTest>

#include "auth/roompolicy.h"

using Switchboard::RoomPolicy;

class tst_RoomPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void expandTemplate_data();
    void expandTemplate();
    void checkTemplate_data();
    void checkTemplate();
    void roomsForClaims_data();
    void roomsForClaims();
    void checkSubscribe_data();
    void checkSubscribe();
    void roomsForConnect_data();
    void roomsForConnect();
    void roomsForConnectListedValues();
};

void tst_RoomPolicy::expandTemplate_data()
{
    QTest::addColumn<QString>("tmpl");
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<QStringList>("rooms");

    QTest::addRow("string scalar") << "company:{companyId}" << QJsonObject{{"companyId", "acme"}} << QStringList{"company:acme"};
    QTest::addRow("numeric scalar") << "company:{companyId}" << QJsonObject{{"companyId", 17}} << QStringList{"company:17"};
    QTest::addRow("fractional scalar") << "zone:{zone}" << QJsonObject{{"zone", 1.5}} << QStringList{"zone:1.5"};
    QTest::addRow("bool scalar") << "beta:{beta}" << QJsonObject{{"beta", true}} << QStringList{"beta:true"};
    QTest::addRow("missing claim") << "company:{companyId}" << QJsonObject{{"sub", "1"}} << QStringList{};
    QTest::addRow("empty string claim") << "company:{companyId}" << QJsonObject{{"companyId", ""}} << QStringList{};
    QTest::addRow("null claim") << "company:{companyId}" << QJsonObject{{"companyId", QJsonValue::Null}} << QStringList{};
    QTest::addRow("array for scalar placeholder") << "company:{companyId}" << QJsonObject{{"companyId", QJsonArray{1, 2}}} << QStringList{};
    QTest::addRow("object claim") << "company:{companyId}" << QJsonObject{{"companyId", QJsonObject{{"id", 1}}}} << QStringList{};
    QTest::addRow("array of strings") << "shop:{shopIds[]}" << QJsonObject{{"shopIds", QJsonArray{"a", "b"}}} << QStringList{"shop:a", "shop:b"};
    QTest::addRow("array of numbers") << "shop:{shopIds[]}" << QJsonObject{{"shopIds", QJsonArray{3, 14}}} << QStringList{"shop:3", "shop:14"};
    QTest::addRow("array skips empties") << "shop:{shopIds[]}" << QJsonObject{{"shopIds", QJsonArray{"", 5, QJsonValue::Null, QJsonObject{}}}} << QStringList{"shop:5"};
    QTest::addRow("empty array") << "shop:{shopIds[]}" << QJsonObject{{"shopIds", QJsonArray{}}} << QStringList{};
    QTest::addRow("missing array") << "shop:{shopIds[]}" << QJsonObject{} << QStringList{};
    QTest::addRow("scalar for array placeholder") << "shop:{shopIds[]}" << QJsonObject{{"shopIds", 5}} << QStringList{};
    QTest::addRow("suffix kept") << "team:{teamId}:chat" << QJsonObject{{"teamId", 9}} << QStringList{"team:9:chat"};
    QTest::addRow("no placeholder") << "lobby" << QJsonObject{} << QStringList{"lobby"};
    // Several placeholders (issue 12, finding 14).
    const QJsonObject rider{{"user_type", "rider"}, {"sub", "u7"}, {"region", "eu"}, {"shopIds", QJsonArray{1, "b"}}};
    QTest::addRow("two scalars") << "{user_type}:{sub}" << rider << QStringList{"rider:u7"};
    QTest::addRow("three scalars and text") << "r/{region}/{user_type}/{sub}!" << rider << QStringList{"r/eu/rider/u7!"};
    QTest::addRow("adjacent placeholders") << "{user_type}{sub}" << rider << QStringList{"rideru7"};
    QTest::addRow("same claim twice") << "{sub}-{sub}" << rider << QStringList{"u7-u7"};
    QTest::addRow("scalar before list") << "{region}:{shopIds[]}" << rider << QStringList{"eu:1", "eu:b"};
    QTest::addRow("scalars around list") << "{region}:shop:{shopIds[]}:{user_type}" << rider
                                         << QStringList{"eu:shop:1:rider", "eu:shop:b:rider"};
    QTest::addRow("list first") << "{shopIds[]}@{region}" << rider << QStringList{"1@eu", "b@eu"};
    QTest::addRow("one of two claims missing") << "{user_type}:{sub}" << QJsonObject{{"sub", "u7"}} << QStringList{};
    QTest::addRow("scalar missing, list present") << "{zone}:{shopIds[]}" << rider << QStringList{};
    QTest::addRow("list missing, scalar present") << "{region}:{tags[]}" << rider << QStringList{};
    QTest::addRow("list empty, scalar present") << "{region}:{shopIds[]}" << QJsonObject{{"region", "eu"}, {"shopIds", QJsonArray{}}} << QStringList{};
    QTest::addRow("invalid template yields nothing") << "{a[]}:{b[]}" << QJsonObject{{"a", QJsonArray{1}}, {"b", QJsonArray{2}}} << QStringList{};
}

void tst_RoomPolicy::checkTemplate_data()
{
    QTest::addColumn<QString>("tmpl");
    QTest::addColumn<QString>("error"); // a part of the message; empty = valid

    QTest::addRow("literal") << "lobby" << "";
    QTest::addRow("one scalar") << "company:{companyId}" << "";
    QTest::addRow("one list") << "shop:{shopIds[]}" << "";
    QTest::addRow("two scalars") << "{user_type}:{sub}" << "";
    QTest::addRow("scalars and a list") << "{region}:{user_type}:{shopIds[]}" << "";
    QTest::addRow("two lists") << "{a[]}:{b[]}" << "more than one list placeholder";
    QTest::addRow("unclosed") << "shop:{shopIds" << "is not closed";
    QTest::addRow("nested") << "{a{b}}" << "is not closed";
    QTest::addRow("stray close") << "a}b" << "without";
    QTest::addRow("empty placeholder") << "x:{}" << "empty placeholder";
    QTest::addRow("empty list placeholder") << "x:{[]}" << "empty placeholder";
    QTest::addRow("empty template") << "" << "empty template";
}

void tst_RoomPolicy::checkTemplate()
{
    QFETCH(QString, tmpl);
    QFETCH(QString, error);
    const QString why = RoomPolicy::checkTemplate(tmpl);
    if (error.isEmpty())
        QVERIFY2(why.isEmpty(), qPrintable(why));
    else
        QVERIFY2(why.contains(error), qPrintable(QStringLiteral("got \"%1\"").arg(why)));
}

void tst_RoomPolicy::expandTemplate()
{
    QFETCH(QString, tmpl);
    QFETCH(QJsonObject, claims);
    QFETCH(QStringList, rooms);
    QCOMPARE(RoomPolicy::expandTemplate(tmpl, claims), rooms);
}

void tst_RoomPolicy::roomsForClaims_data()
{
    QTest::addColumn<QStringList>("templates");
    QTest::addColumn<QString>("userId");
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<QStringList>("rooms");

    const QStringList tmpl{"company:{companyId}", "shop:{shopIds[]}"};
    QTest::addRow("user only") << QStringList{} << "42" << QJsonObject{{"sub", "42"}} << QStringList{"user:42"};
    QTest::addRow("role") << QStringList{} << "42" << QJsonObject{{"sub", "42"}, {"role", "admin"}}
                          << QStringList{"user:42", "role:admin"};
    QTest::addRow("rooms claim") << QStringList{} << "42" << QJsonObject{{"rooms", QJsonArray{"lobby", "order:1"}}}
                                 << QStringList{"user:42", "lobby", "order:1"};
    QTest::addRow("numeric rooms") << QStringList{} << "42" << QJsonObject{{"rooms", QJsonArray{5}}}
                                   << QStringList{"user:42", "5"};
    QTest::addRow("rooms not an array") << QStringList{} << "42" << QJsonObject{{"rooms", "lobby"}}
                                        << QStringList{"user:42"};
    QTest::addRow("duplicates removed") << QStringList{} << "42" << QJsonObject{{"rooms", QJsonArray{"a", "a", "user:42"}}}
                                        << QStringList{"user:42", "a"};
    QTest::addRow("over-long room dropped") << QStringList{} << "42"
                                            << QJsonObject{{"rooms", QJsonArray{QString(RoomPolicy::kMaxRoomLength + 1, 'x'), QString(RoomPolicy::kMaxRoomLength, 'y')}}}
                                            << QStringList{"user:42", QString(RoomPolicy::kMaxRoomLength, 'y')};
    QTest::addRow("templates") << tmpl << "42"
                               << QJsonObject{{"role", "staff"}, {"companyId", 7}, {"shopIds", QJsonArray{"s1", 2}}}
                               << QStringList{"user:42", "role:staff", "company:7", "shop:s1", "shop:2"};
    QTest::addRow("templates, claims missing") << tmpl << "42" << QJsonObject{{"sub", "42"}} << QStringList{"user:42"};
    QTest::addRow("everything") << tmpl << "u1"
                                << QJsonObject{{"role", "admin"}, {"rooms", QJsonArray{"lobby"}}, {"companyId", "acme"}, {"shopIds", QJsonArray{1}}}
                                << QStringList{"user:u1", "role:admin", "lobby", "company:acme", "shop:1"};
    QTest::addRow("two placeholders") << QStringList{"{user_type}:{sub}"} << "u7" << QJsonObject{{"sub", "u7"}, {"user_type", "rider"}}
                                      << QStringList{"user:u7", "rider:u7"};
    QTest::addRow("over-long template room dropped") << QStringList{"company:{companyId}"} << "42"
                                                     << QJsonObject{{"companyId", QString(RoomPolicy::kMaxRoomLength, 'c')}}
                                                     << QStringList{"user:42"};
}

void tst_RoomPolicy::roomsForClaims()
{
    QFETCH(QStringList, templates);
    QFETCH(QString, userId);
    QFETCH(QJsonObject, claims);
    QFETCH(QStringList, rooms);
    const RoomPolicy policy(templates, {});
    QCOMPARE(policy.roomsForClaims(userId, claims), rooms);
}

void tst_RoomPolicy::checkSubscribe_data()
{
    QTest::addColumn<QStringList>("allow");
    QTest::addColumn<QString>("userId");
    QTest::addColumn<QString>("role");
    QTest::addColumn<QString>("room");
    QTest::addColumn<bool>("allowed");

    const QStringList none;
    const QStringList patterns{"order:*", "chat:?*", "lobby"};
    QTest::addRow("any room, no patterns") << none << "42" << "" << "order:1" << true;
    QTest::addRow("own user room") << none << "42" << "" << "user:42" << true;
    QTest::addRow("another user's room") << none << "42" << "" << "user:43" << false;
    QTest::addRow("user room prefix trick") << none << "42" << "" << "user:421" << false;
    QTest::addRow("user room of empty id") << none << "42" << "" << "user:" << false;
    QTest::addRow("own role room") << none << "42" << "admin" << "role:admin" << true;
    QTest::addRow("other role room") << none << "42" << "user" << "role:admin" << false;
    QTest::addRow("role room without role") << none << "42" << "" << "role:admin" << false;
    QTest::addRow("empty room") << none << "42" << "" << "" << false;
    QTest::addRow("max length") << none << "42" << "" << QString(RoomPolicy::kMaxRoomLength, 'r') << true;
    QTest::addRow("over max length") << none << "42" << "" << QString(RoomPolicy::kMaxRoomLength + 1, 'r') << false;
    QTest::addRow("pattern star") << patterns << "42" << "" << "order:123" << true;
    QTest::addRow("pattern star, empty tail") << patterns << "42" << "" << "order:" << true;
    QTest::addRow("pattern star with slash") << patterns << "42" << "" << "order:2024/17" << true;
    QTest::addRow("pattern question mark") << patterns << "42" << "" << "chat:x" << true;
    QTest::addRow("pattern question mark needs one") << patterns << "42" << "" << "chat:" << false;
    QTest::addRow("pattern literal") << patterns << "42" << "" << "lobby" << true;
    QTest::addRow("pattern is anchored at start") << patterns << "42" << "" << "xorder:1" << false;
    QTest::addRow("pattern is anchored at end") << patterns << "42" << "" << "lobby2" << false;
    QTest::addRow("pattern no match") << patterns << "42" << "" << "secret:1" << false;
    QTest::addRow("regex metacharacters are literal") << QStringList{"a.b"} << "42" << "" << "axb" << false;
    QTest::addRow("regex metacharacters match themselves") << QStringList{"a.b+"} << "42" << "" << "a.b+" << true;
    QTest::addRow("own user room despite patterns") << patterns << "42" << "" << "user:42" << true;
    QTest::addRow("other user room despite match-all") << QStringList{"*"} << "42" << "" << "user:7" << false;
    QTest::addRow("other role room despite match-all") << QStringList{"*"} << "42" << "" << "role:admin" << false;
    QTest::addRow("over max length despite match-all") << QStringList{"*"} << "42" << "" << QString(RoomPolicy::kMaxRoomLength + 1, 'r') << false;
    // A socket id's room (10 to 20 digits, no leading zero) is reserved: never joinable.
    QTest::addRow("socket id") << none << "42" << "" << "2646739236421633" << false;
    QTest::addRow("socket id, 10 digits") << none << "42" << "" << "4294967296" << false;
    QTest::addRow("socket id despite match-all") << QStringList{"*"} << "42" << "" << "12345678901234567890" << false;
    QTest::addRow("9 digits") << none << "42" << "" << "123456789" << true;
    QTest::addRow("21 digits") << none << "42" << "" << "123456789012345678901" << true;
    QTest::addRow("leading zero") << none << "42" << "" << "0123456789012" << true;
    QTest::addRow("digits and a letter") << none << "42" << "" << "2646739236421633a" << true;
}

void tst_RoomPolicy::checkSubscribe()
{
    QFETCH(QStringList, allow);
    QFETCH(QString, userId);
    QFETCH(QString, role);
    QFETCH(QString, room);
    QFETCH(bool, allowed);
    const RoomPolicy policy({}, allow);
    const QString why = policy.checkSubscribe(userId, role, room);
    QVERIFY2(why.isEmpty() == allowed, qPrintable(QStringLiteral("reason: \"%1\"").arg(why)));
}

void tst_RoomPolicy::roomsForConnect_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QJsonObject>("claims");
    QTest::addColumn<QStringList>("allow");
    QTest::addColumn<QStringList>("rooms");   // empty: refused
    QTest::addColumn<QString>("error");       // part of the refusal

    const QJsonObject sub{{"sub", "u7"}};
    QTest::addRow("no query") << "" << sub << QStringList{} << QStringList{"user:u7"} << "";
    QTest::addRow("allowed parameter") << "user_type=driver" << sub << QStringList{} << QStringList{"user:u7", "driver:u7"} << "";
    QTest::addRow("other parameters ignored") << "region=eu&user_type=driver" << sub << QStringList{}
                                              << QStringList{"user:u7", "driver:u7"} << "";
    QTest::addRow("percent-decoded") << "user_type=dri%76er" << sub << QStringList{} << QStringList{"user:u7", "driver:u7"} << "";
    QTest::addRow("a claim wins") << "user_type=driver" << QJsonObject{{"sub", "u7"}, {"user_type", "rider"}} << QStringList{}
                                  << QStringList{"user:u7", "rider:u7"} << "";
    QTest::addRow("longest value") << "user_type=" + QString(RoomPolicy::kMaxQueryValueLength, 'a') << sub << QStringList{}
                                   << QStringList{"user:u7", QString(RoomPolicy::kMaxQueryValueLength, 'a') + ":u7"} << "";
    QTest::addRow("over-long value") << "user_type=" + QString(RoomPolicy::kMaxQueryValueLength + 1, 'a') << sub << QStringList{}
                                     << QStringList{} << "query parameter user_type";
    QTest::addRow("empty value") << "user_type=" << sub << QStringList{} << QStringList{} << "query parameter user_type";
    QTest::addRow("colon") << "user_type=user%3Au8" << sub << QStringList{} << QStringList{} << "query parameter user_type";
    QTest::addRow("space") << "user_type=a%20b" << sub << QStringList{} << QStringList{} << "query parameter user_type";
    QTest::addRow("allow-list refuses the room") << "user_type=admin" << sub << QStringList{"driver:*", "rider:*"}
                                                 << QStringList{} << "room not allowed by policy";
    QTest::addRow("allow-list accepts the room") << "user_type=driver" << sub << QStringList{"driver:*"}
                                                 << QStringList{"user:u7", "driver:u7"} << "";
}

void tst_RoomPolicy::roomsForConnect()
{
    QFETCH(QString, query);
    QFETCH(QJsonObject, claims);
    QFETCH(QStringList, allow);
    QFETCH(QStringList, rooms);
    QFETCH(QString, error);
    const RoomPolicy policy({"{user_type}:{sub}"}, allow, {"user_type"});
    QString why;
    QCOMPARE(policy.roomsForConnect(QStringLiteral("u7"), claims, QUrlQuery(query), &why), rooms);
    if (error.isEmpty())
        QVERIFY2(why.isEmpty(), qPrintable(why));
    else
        QVERIFY2(why.contains(error), qPrintable(why));
}

// --claim-rooms-query user_type=driver|rider: only those values; their rooms need no
// --allowed-rooms pattern, so a client cannot join another user's driver:/rider: room.
void tst_RoomPolicy::roomsForConnectListedValues()
{
    const RoomPolicy policy({"{user_type}:{sub}", "{user_type}:{region}:{sub}"}, {"order:*"},
                            {"user_type=driver|rider", "region"});
    const QJsonObject sub{{"sub", "u7"}};
    QString why;
    QCOMPARE(policy.roomsForConnect(QStringLiteral("u7"), sub, QUrlQuery(QStringLiteral("user_type=rider")), &why),
             (QStringList{"user:u7", "rider:u7"}));
    QVERIFY2(why.isEmpty(), qPrintable(why));
    // A value off the list is refused, with the list in the reason.
    QVERIFY(policy.roomsForConnect(QStringLiteral("u7"), sub, QUrlQuery(QStringLiteral("user_type=admin")), &why).isEmpty());
    QVERIFY2(why.contains(QLatin1String("one of driver, rider")), qPrintable(why));
    // A free-form value in the same room still needs the allow-list: refused here.
    why.clear();
    QVERIFY(policy.roomsForConnect(QStringLiteral("u7"), sub, QUrlQuery(QStringLiteral("user_type=driver&region=eu")), &why)
                .isEmpty());
    QVERIFY2(why.contains(QLatin1String("room not allowed by policy")), qPrintable(why));
    // The listed rooms are still not open to clients' joins.
    QVERIFY(!policy.checkSubscribe(QStringLiteral("u8"), QString(), QStringLiteral("rider:u7")).isEmpty());
}

QTEST_GUILESS_MAIN(tst_RoomPolicy)
#include "tst_roompolicy.moc"

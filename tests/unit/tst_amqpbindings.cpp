// Unit tests for Switchboard::AmqpBindings: the --amqp-bindings file (every field checked, the
// error naming it) and how a message becomes an event name and rooms.
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtTest/QTest>

#include "bridge/bindings.h"

using Switchboard::AmqpBinding;
using Switchboard::AmqpBindings;
using Switchboard::AmqpRoute;

class tst_AmqpBindings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void issueExample();
    void defaults();
    void invalid_data();
    void invalid();
    void route_data();
    void route();
    void checkUrl_data();
    void checkUrl();
};

void tst_AmqpBindings::issueExample()
{
    // Issue 18's example, as written.
    const QByteArray json = R"({"bindings": [{"exchange": "events", "type": "topic", "queue": "websocket.events",
  "routingKeys": ["order.*", "payment.*", "inventory.*"], "prefetch": 100,
  "event": "{routingKey}", "targets": ["user:{userId}", "company:{companyId}", "shop:{shopIds[]}"],
  "deadLetterExchange": "events.dlx"}]})";
    QList<AmqpBinding> bindings;
    QString error;
    QVERIFY2(AmqpBindings::parse(json, &bindings, &error), qPrintable(error));
    QCOMPARE(bindings.size(), 1);
    const AmqpBinding &b = bindings.constFirst();
    QCOMPARE(b.exchange, QStringLiteral("events"));
    QCOMPARE(b.type, QStringLiteral("topic"));
    QCOMPARE(b.queue, QStringLiteral("websocket.events"));
    QCOMPARE(b.routingKeys, (QStringList{"order.*", "payment.*", "inventory.*"}));
    QCOMPARE(b.prefetch, 100);
    QCOMPARE(b.event, QStringLiteral("{routingKey}"));
    QCOMPARE(b.targets, (QStringList{"user:{userId}", "company:{companyId}", "shop:{shopIds[]}"}));
    QCOMPARE(b.deadLetterExchange, QStringLiteral("events.dlx"));
    QVERIFY(b.durable);
    QVERIFY(!b.persist);
    QVERIFY(!b.broadcast);
}

void tst_AmqpBindings::defaults()
{
    QList<AmqpBinding> bindings;
    QString error;
    QVERIFY2(AmqpBindings::parse(R"({"bindings":[{"exchange":"e","queue":"q","routingKeys":["#"],"broadcast":true},
        {"exchange":"f","type":"fanout","queue":"q2","targets":["lobby"],"durable":false,"persist":true}]})",
                                 &bindings, &error), qPrintable(error));
    QCOMPARE(bindings.size(), 2);
    QCOMPARE(bindings.at(0).type, QStringLiteral("topic"));
    QCOMPARE(bindings.at(0).prefetch, 100);
    QCOMPARE(bindings.at(0).event, QStringLiteral("{routingKey}"));
    QVERIFY(bindings.at(0).broadcast);
    QVERIFY(bindings.at(0).deadLetterExchange.isEmpty());
    QCOMPARE(bindings.at(1).routingKeys, QStringList{QString()}); // fanout: bound with ""
    QVERIFY(!bindings.at(1).durable);
    QVERIFY(bindings.at(1).persist);
}

void tst_AmqpBindings::invalid_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // the start of the message: it names the field

    const auto one = [](const QByteArray &fields) {
        return QByteArray(R"({"bindings":[{"exchange":"events","queue":"q","routingKeys":["order.*"],"targets":["user:{userId}"])")
            + (fields.isEmpty() ? QByteArray() : "," + fields) + "}]}";
    };
    QTest::addRow("not json") << QByteArray("{") << "not JSON";
    QTest::addRow("no bindings") << QByteArray("{}") << "bindings: must be a non-empty array";
    QTest::addRow("empty bindings") << QByteArray(R"({"bindings":[]})") << "bindings: must be a non-empty array";
    QTest::addRow("binding not object") << QByteArray(R"({"bindings":[3]})") << "bindings[0]: must be an object";
    QTest::addRow("no exchange") << QByteArray(R"({"bindings":[{"queue":"q","routingKeys":["a"],"targets":["x"]}]})") << "bindings[0].exchange: required";
    QTest::addRow("no queue") << QByteArray(R"({"bindings":[{"exchange":"e","routingKeys":["a"],"targets":["x"]}]})") << "bindings[0].queue: required";
    QTest::addRow("exchange number") << QByteArray(R"({"bindings":[{"exchange":5,"queue":"q","routingKeys":["a"],"targets":["x"]}]})") << "bindings[0].exchange: must be a non-empty string";
    QTest::addRow("reserved exchange") << QByteArray(R"({"bindings":[{"exchange":"amq.topic","queue":"q","routingKeys":["a"],"targets":["x"]}]})") << "bindings[0].exchange: \"amq.topic\"";
    QTest::addRow("long queue") << QByteArray(R"({"bindings":[{"exchange":"e","queue":")" + QByteArray(256, 'q') + R"(","routingKeys":["a"],"targets":["x"]}]})") << "bindings[0].queue: must be";
    QTest::addRow("unknown type") << one(R"("type":"x-delayed")") << "bindings[0].type: \"x-delayed\" is not one of";
    QTest::addRow("misspelt field") << one(R"("routingkeys":["a"])") << "bindings[0].routingkeys: unknown field";
    QTest::addRow("routingKeys missing") << QByteArray(R"({"bindings":[{"exchange":"e","queue":"q","targets":["x"]}]})") << "bindings[0].routingKeys: must be a non-empty array";
    QTest::addRow("routingKeys string") << QByteArray(R"({"bindings":[{"exchange":"e","queue":"q","routingKeys":"a","targets":["x"]}]})") << "bindings[0].routingKeys: must be a non-empty array";
    QTest::addRow("routingKey number") << QByteArray(R"({"bindings":[{"exchange":"e","queue":"q","routingKeys":["a",1],"targets":["x"]}]})") << "bindings[0].routingKeys[1]: must be a string";
    QTest::addRow("prefetch zero") << one(R"("prefetch":0)") << "bindings[0].prefetch: must be an integer from 1 to 65535";
    QTest::addRow("prefetch fraction") << one(R"("prefetch":1.5)") << "bindings[0].prefetch:";
    QTest::addRow("prefetch huge") << one(R"("prefetch":70000)") << "bindings[0].prefetch:";
    QTest::addRow("prefetch string") << one(R"("prefetch":"10")") << "bindings[0].prefetch:";
    QTest::addRow("durable string") << one(R"("durable":"yes")") << "bindings[0].durable: must be true or false";
    QTest::addRow("persist number") << one(R"("persist":1)") << "bindings[0].persist: must be true or false";
    QTest::addRow("event number") << one(R"("event":1)") << "bindings[0].event: must be a string";
    QTest::addRow("event unclosed") << one(R"("event":"{type")") << "bindings[0].event: \"{type\": the \"{\" at 0 is not closed";
    QTest::addRow("event list") << one(R"("event":"{types[]}")") << "bindings[0].event: \"{types[]}\": a list placeholder";
    QTest::addRow("event empty") << one(R"("event":"")") << "bindings[0].event: \"\": empty template";
    QTest::addRow("targets string") << QByteArray(R"({"bindings":[{"exchange":"e","queue":"q","routingKeys":["a"],"targets":"user:{userId}"}]})") << "bindings[0].targets: must be an array";
    QTest::addRow("target bad template") << QByteArray(R"({"bindings":[{"exchange":"e","queue":"q","routingKeys":["a"],"targets":["ok","user:{}"]}]})") << "bindings[0].targets[1]: \"user:{}\": an empty placeholder";
    QTest::addRow("target two lists") << QByteArray(R"({"bindings":[{"exchange":"e","queue":"q","routingKeys":["a"],"targets":["{a[]}:{b[]}"]}]})") << "bindings[0].targets[0]: \"{a[]}:{b[]}\": more than one list placeholder";
    QTest::addRow("target not string") << QByteArray(R"({"bindings":[{"exchange":"e","queue":"q","routingKeys":["a"],"targets":[7]}]})") << "bindings[0].targets[0]: \"\": not a string";
    QTest::addRow("no targets") << QByteArray(R"({"bindings":[{"exchange":"e","queue":"q","routingKeys":["a"]}]})") << "bindings[0].targets: required";
    QTest::addRow("empty targets") << QByteArray(R"({"bindings":[{"exchange":"e","queue":"q","routingKeys":["a"],"targets":[]}]})") << "bindings[0].targets: required";
    QTest::addRow("targets and broadcast") << one(R"("broadcast":true)") << "bindings[0].targets: not allowed with";
    QTest::addRow("persist broadcast") << QByteArray(R"({"bindings":[{"exchange":"e","queue":"q","routingKeys":["a"],"broadcast":true,"persist":true}]})") << "bindings[0].persist:";
    QTest::addRow("dlx empty") << one(R"("deadLetterExchange":"")") << "bindings[0].deadLetterExchange: must be a non-empty string";
    QTest::addRow("same queue twice") << QByteArray(R"({"bindings":[{"exchange":"e","queue":"q","routingKeys":["a"],"broadcast":true},{"exchange":"f","queue":"q","routingKeys":["b"],"broadcast":true}]})") << "bindings[1].queue: \"q\" is already consumed";
}

void tst_AmqpBindings::invalid()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QList<AmqpBinding> bindings;
    QString why;
    QVERIFY(!AmqpBindings::parse(json, &bindings, &why));
    QVERIFY2(why.startsWith(error), qPrintable(why));
    QVERIFY(bindings.isEmpty());
}

void tst_AmqpBindings::route_data()
{
    QTest::addColumn<QString>("bindingJson");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("routingKey");
    QTest::addColumn<QString>("event");
    QTest::addColumn<QStringList>("rooms");
    QTest::addColumn<bool>("broadcast");
    QTest::addColumn<QString>("error"); // start of it

    const QString issue = R"({"exchange":"events","queue":"q","routingKeys":["order.*"],
        "targets":["user:{userId}","company:{companyId}","shop:{shopIds[]}"]})";
    QTest::addRow("user and company") << issue << QByteArray(R"({"userId":"u1","companyId":"c1"})") << "order.created"
                                      << "order.created" << QStringList{"user:u1", "company:c1"} << false << QString();
    QTest::addRow("list of shops") << issue << QByteArray(R"({"shopIds":[1,"s2",""]})") << "inventory.low_stock"
                                   << "inventory.low_stock" << QStringList{"shop:1", "shop:s2"} << false << QString();
    QTest::addRow("numeric user") << issue << QByteArray(R"({"userId":42})") << "payment.success"
                                  << "payment.success" << QStringList{"user:42"} << false << QString();
    QTest::addRow("duplicates once") << R"({"exchange":"e","queue":"q","routingKeys":["a"],"targets":["user:{a}","user:{b}"]})"
                                     << QByteArray(R"({"a":"x","b":"x"})") << "k" << "k" << QStringList{"user:x"} << false << QString();
    QTest::addRow("no target") << issue << QByteArray(R"({"orderId":7})") << "order.created"
                               << QString() << QStringList{} << false << "no target";
    QTest::addRow("empty list no target") << issue << QByteArray(R"({"shopIds":[]})") << "order.created"
                                          << QString() << QStringList{} << false << "no target";
    QTest::addRow("malformed") << issue << QByteArray("{not json") << "order.created"
                               << QString() << QStringList{} << false << "malformed: not JSON";
    QTest::addRow("raw control character (strict JSON)") << issue << QByteArray("{\"userId\":\"u\x01\"}") << "order.created"
                                                         << QString() << QStringList{} << false << "malformed: not JSON";
    QTest::addRow("array body") << issue << QByteArray("[1,2]") << "order.created"
                                << QString() << QStringList{} << false << "malformed: not a JSON object";
    const QString byField = R"({"exchange":"e","queue":"q","routingKeys":["a"],"event":"{type}","targets":["user:{userId}"]})";
    QTest::addRow("event from field") << byField << QByteArray(R"({"type":"order_paid","userId":"u"})") << "a"
                                      << "order_paid" << QStringList{"user:u"} << false << QString();
    QTest::addRow("event field missing") << byField << QByteArray(R"({"userId":"u"})") << "a"
                                         << QString() << QStringList{} << false << "no event name";
    QTest::addRow("routing key wins over field")
        << R"({"exchange":"e","queue":"q","routingKeys":["a"],"event":"ev:{routingKey}","targets":["rk:{routingKey}"]})"
        << QByteArray(R"({"routingKey":"spoofed"})") << "order.created" << "ev:order.created" << QStringList{"rk:order.created"} << false << QString();
    QTest::addRow("broadcast") << R"({"exchange":"e","queue":"q","routingKeys":["#"],"broadcast":true})"
                               << QByteArray(R"({})") << "system.notice" << "system.notice" << QStringList{} << true << QString();
}

void tst_AmqpBindings::route()
{
    QFETCH(QString, bindingJson);
    QFETCH(QByteArray, body);
    QFETCH(QString, routingKey);
    QList<AmqpBinding> bindings;
    QString parseError;
    QVERIFY2(AmqpBindings::parse("{\"bindings\":[" + bindingJson.toUtf8() + "]}", &bindings, &parseError), qPrintable(parseError));
    QJsonObject message;
    const AmqpRoute r = AmqpBindings::route(bindings.constFirst(), body, routingKey, &message);
    QFETCH(QString, error);
    if (error.isEmpty()) {
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error));
        QCOMPARE(message, QJsonDocument::fromJson(body).object());
    } else {
        QVERIFY2(r.error.startsWith(error), qPrintable(r.error));
        return;
    }
    QTEST(r.event, "event");
    QTEST(r.rooms, "rooms");
    QTEST(r.broadcast, "broadcast");
}

void tst_AmqpBindings::checkUrl_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("ok");
    QTest::addRow("full") << "amqp://user:pass@host:5672/vhost" << true;
    QTest::addRow("host only") << "amqp://localhost" << true;
    QTest::addRow("default vhost") << "amqp://guest:guest@127.0.0.1:5673/%2f" << true;
    QTest::addRow("amqps") << "amqps://user:pass@broker.example:5671/vhost" << true;
    QTest::addRow("http") << "http://localhost:5672" << false;
    QTest::addRow("bad port") << "amqp://host:notaport/" << false;
    QTest::addRow("empty") << "" << false;
}

void tst_AmqpBindings::checkUrl()
{
    QFETCH(QString, url);
    QFETCH(bool, ok);
    QCOMPARE(AmqpBindings::checkUrl(url).isEmpty(), ok);
}

QTEST_APPLESS_MAIN(tst_AmqpBindings)
#include "tst_amqpbindings.moc"

// Unit tests for Switchboard::SentAcks: the acked event ids a native connection may answer.
// The ring holds the last kCapacity ids, grows only as ids come, and forgets the oldest.
#include <QtTest/QTest>

#include "transport/sentacks.h"

using Switchboard::SentAcks;

class tst_SentAcks : public QObject
{
    Q_OBJECT

private slots:
    void emptyKnowsNothing()
    {
        SentAcks acks;
        QVERIFY(!acks.take(QStringLiteral("e1")));
        QVERIFY(!acks.take(QString()));
    }

    void takenOnce()
    {
        SentAcks acks;
        acks.add(QStringLiteral("e1"));
        acks.add(QStringLiteral("e2"));
        QVERIFY(acks.take(QStringLiteral("e2")));
        QVERIFY(!acks.take(QStringLiteral("e2")));
        QVERIFY(acks.take(QStringLiteral("e1")));
        QVERIFY(!acks.take(QStringLiteral("e3")));
        QVERIFY(!acks.take(QString()));
    }

    void keepsTheLastCapacityIds()
    {
        SentAcks acks;
        const int total = SentAcks::kCapacity + 72;
        for (int i = 0; i < total; ++i)
            acks.add(QStringLiteral("e%1").arg(i));
        // The oldest 72 are forgotten, the last kCapacity answer once each.
        for (int i = 0; i < total - SentAcks::kCapacity; ++i)
            QVERIFY2(!acks.take(QStringLiteral("e%1").arg(i)), qPrintable(QString::number(i)));
        for (int i = total - SentAcks::kCapacity; i < total; ++i)
            QVERIFY2(acks.take(QStringLiteral("e%1").arg(i)), qPrintable(QString::number(i)));
        // Past the wrap, new ids replace the oldest in order.
        acks.add(QStringLiteral("late"));
        QVERIFY(acks.take(QStringLiteral("late")));
    }
};

QTEST_APPLESS_MAIN(tst_SentAcks)
#include "tst_sentacks.moc"

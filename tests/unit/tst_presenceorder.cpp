// Unit test for Switchboard::PresenceOrder (rooms/presenceorder.h): one user's joins and
// leaves of a room on two threads at once must leave the published presence equal to the
// registry's. The race (decided under the registry's lock, published after it) cannot be
// driven from outside the process, hence a unit test that hammers it.
#include <QtCore/QHash>
#include <QtCore/QMutex>
#include <QtCore/QRandomGenerator>
#include <QtCore/QThread>
#include <QtTest/QTest>

#include "rooms/presenceorder.h"
#include "rooms/registry.h"

using Switchboard::ConnectionInfo;
using Switchboard::PresenceOrder;
using Switchboard::Registry;

namespace {
std::shared_ptr<ConnectionInfo> info(quint64 id, const QString &user)
{
    auto i = std::make_shared<ConnectionInfo>();
    i->id = id;
    i->userId = user;
    return i;
}
} // namespace

class tst_PresenceOrder : public QObject
{
    Q_OBJECT

private slots:
    void publishedStateFollowsTheRegistry();
};

void tst_PresenceOrder::publishedStateFollowsTheRegistry()
{
    const QString room = QStringLiteral("chat:1");
    const QString user = QStringLiteral("u");
    Registry registry;
    registry.add(info(1, user), {});
    registry.add(info(2, user), {});

    // What a subscriber would believe: the last state published, in publication order.
    QMutex modelLock;
    bool present = false;
    int publications = 0;
    PresenceOrder order([&](const QString &r, const QString &u) { return registry.userInRoom(u, r); },
                        [&](const QString &, const QString &, bool now) {
                            QMutexLocker lock(&modelLock);
                            present = now;
                            ++publications;
                        });

    // Each round, connections 1 and 2 (one thread each) join and leave many times, as the
    // I/O threads do, telling PresenceOrder only when the registry says first / last; then
    // each ends in or out of the room at random. The published state must be the registry's.
    constexpr int kRounds = 300;
    constexpr int kToggles = 300;
    int mismatches = 0;
    for (int round = 0; round < kRounds; ++round) {
        const bool stays1 = QRandomGenerator::global()->bounded(2) == 1;
        const bool stays2 = QRandomGenerator::global()->bounded(2) == 1;
        auto churn = [&](quint64 id, bool stays) {
            for (int i = 0; i < kToggles; ++i) {
                bool first = false;
                if (registry.join(id, room, &first) && first)
                    order.changed(room, user);
                bool last = false;
                if (registry.leave(id, room, &last) && last)
                    order.changed(room, user);
            }
            bool first = false;
            if (stays && registry.join(id, room, &first) && first)
                order.changed(room, user);
        };
        std::unique_ptr<QThread> one(QThread::create(churn, quint64(1), stays1));
        std::unique_ptr<QThread> two(QThread::create(churn, quint64(2), stays2));
        one->start();
        two->start();
        QVERIFY(one->wait(30000));
        QVERIFY(two->wait(30000));
        QCOMPARE(registry.userInRoom(user, room), stays1 || stays2);
        {
            QMutexLocker lock(&modelLock);
            if (present != (stays1 || stays2))
                ++mismatches;
        }
        // Out again for the next round.
        bool last = false;
        if (registry.leave(1, room, &last) && last)
            order.changed(room, user);
        if (registry.leave(2, room, &last) && last)
            order.changed(room, user);
        QMutexLocker lock(&modelLock);
        QCOMPARE(present, false);
    }
    QCOMPARE(mismatches, 0);
    QVERIFY(publications >= kRounds);
}

QTEST_GUILESS_MAIN(tst_PresenceOrder)
#include "tst_presenceorder.moc"

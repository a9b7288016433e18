// The console's row diff: planRows() on a worker + replayRows() on the GUI thread must give
// the same model signals and the same rows as syncRows() in one go, for random changes.
#include <QtCore/QRandomGenerator>
#include <QtTest/QtTest>

#include "rowdiff.h"

using namespace Switchboard;

namespace {

struct Row
{
    int id = 0;
    int value = 0;
    bool operator==(const Row &o) const { return id == o.id && value == o.value; }
};

/// Records the model signals, and keeps a list of ids the way a view would see them.
struct Recorder
{
    QStringList log;
    QList<int> viewIds;          // what a view knows after each signal
    const QList<Row> *rows = nullptr;

    RowDiffOps ops()
    {
        return {[this](int f, int l) { log << QStringLiteral("remove %1-%2").arg(f).arg(l); viewIds.remove(f, l - f + 1); },
                [] {},
                [this](int f, int l) { log << QStringLiteral("insert %1-%2").arg(f).arg(l); pendingInsert = {f, l}; },
                [this] {
                    // After endInsertRows a view reads the new rows from the model.
                    for (int r = pendingInsert.first; r <= pendingInsert.second; ++r)
                        viewIds.insert(r, rows->at(r).id);
                },
                [this] { log << QStringLiteral("reset"); },
                [this] { viewIds.clear(); for (const Row &r : *rows) viewIds << r.id; },
                [this](int f, int l) { log << QStringLiteral("changed %1-%2").arg(f).arg(l); }};
    }
    QPair<int, int> pendingInsert;
};

QList<Row> mutate(const QList<Row> &rows, QRandomGenerator &rng, int &nextId, bool allowReorder)
{
    QList<Row> out;
    for (const Row &r : rows) {
        const int dice = rng.bounded(100);
        if (dice < 10)
            continue;                                  // removed
        out << Row{r.id, dice < 30 ? r.value + 1 : r.value};
        if (rng.bounded(100) < 8)
            out << Row{nextId++, 0};                   // inserted after it
    }
    if (rng.bounded(100) < 20)
        out.prepend(Row{nextId++, 0});
    if (allowReorder && rng.bounded(100) < 10 && out.size() > 2)
        std::swap(out[0], out[out.size() - 1]);     // a re-sort
    return out;
}

} // namespace

class TestRowDiff : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void replayMatchesDirectDiff();
    void firstFillIsOneInsert();
};

void TestRowDiff::replayMatchesDirectDiff()
{
    QRandomGenerator rng(4242);
    int nextId = 1;
    QList<Row> direct;
    QList<Row> replayed;
    Recorder directRec, replayRec;
    directRec.rows = &direct;
    replayRec.rows = &replayed;
    for (int round = 0; round < 300; ++round) {
        const QList<Row> next = mutate(direct, rng, nextId, true);
        directRec.log.clear();
        replayRec.log.clear();
        syncRows(direct, next, [](const Row &r) { return r.id; }, directRec.ops());
        const QList<RowDiffStep> steps = planRows(replayed, next, [](const Row &r) { return r.id; });
        replayRows(replayed, next, steps, replayRec.ops());
        QCOMPARE(replayRec.log, directRec.log);
        QCOMPARE(replayed, next);
        QCOMPARE(direct, next);
        // A view that followed only the signals ends up with exactly the new ids.
        QList<int> ids;
        for (const Row &r : next)
            ids << r.id;
        QCOMPARE(replayRec.viewIds, ids);
    }
}

void TestRowDiff::firstFillIsOneInsert()
{
    QList<Row> rows;
    QList<Row> next;
    for (int i = 0; i < 10000; ++i)
        next << Row{i + 1, i};
    Recorder rec;
    rec.rows = &rows;
    replayRows(rows, next, planRows(rows, next, [](const Row &r) { return r.id; }), rec.ops());
    QCOMPARE(rec.log, QStringList{QStringLiteral("insert 0-9999")});
    QCOMPARE(rows.size(), 10000);
    QCOMPARE(rec.viewIds.size(), 10000);
}

QTEST_GUILESS_MAIN(TestRowDiff)
#include "tst_rowdiff.moc"

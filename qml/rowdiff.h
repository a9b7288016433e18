#pragma once

#include <functional>

#include <QtCore/QHash>
#include <QtCore/QList>

namespace Switchboard {

/**
 * @brief The begin/end calls a model makes while its rows are brought up to date.
 *
 * The model's protected beginInsertRows() & co. are handed in as lambdas, so one diff
 * routine serves every list and table model of the console.
 */
struct RowDiffOps
{
    std::function<void(int first, int last)> beginRemove;
    std::function<void()> endRemove;
    std::function<void(int first, int last)> beginInsert;
    std::function<void()> endInsert;
    std::function<void()> beginReset;
    std::function<void()> endReset;
    std::function<void(int first, int last)> changed;
};

/**
 * Brings @p current to @p next with the fewest model signals: contiguous removals, then
 * contiguous insertions, then one dataChanged over the rows whose content differs. When the
 * surviving rows changed their relative order (a re-sort), it falls back to a model reset,
 * which views handle better than a long series of moves.
 *
 * @p keyOf returns a row's identity; rows compare with operator==.
 */
template <typename Row, typename KeyOf>
void syncRows(QList<Row> &current, const QList<Row> &next, KeyOf keyOf, const RowDiffOps &ops)
{
    using Key = decltype(keyOf(next.first()));
    if (current.isEmpty() && next.isEmpty())
        return;
    QHash<Key, int> nextIndex;
    nextIndex.reserve(next.size());
    for (int i = 0; i < next.size(); ++i)
        nextIndex.insert(keyOf(next.at(i)), i);

    // Removals, last run first so earlier indexes stay valid.
    for (int i = int(current.size()) - 1; i >= 0;) {
        if (nextIndex.contains(keyOf(current.at(i)))) {
            --i;
            continue;
        }
        int first = i;
        while (first > 0 && !nextIndex.contains(keyOf(current.at(first - 1))))
            --first;
        ops.beginRemove(first, i);
        current.remove(first, i - first + 1);
        ops.endRemove();
        i = first - 1;
    }

    // The survivors must keep their order, or this is a re-sort: reset.
    int previous = -1;
    for (const Row &row : std::as_const(current)) {
        const int at = nextIndex.value(keyOf(row));
        if (at <= previous) {
            ops.beginReset();
            current = next;
            ops.endReset();
            return;
        }
        previous = at;
    }

    int firstChanged = -1;
    int lastChanged = -1;
    int i = 0;
    for (int k = 0; k < next.size();) {
        if (i < current.size() && keyOf(current.at(i)) == keyOf(next.at(k))) {
            if (!(current.at(i) == next.at(k))) {
                current[i] = next.at(k);
                if (firstChanged < 0)
                    firstChanged = i;
                lastChanged = i;
            }
            ++i;
            ++k;
            continue;
        }
        // next[k..end) up to the next survivor is one inserted run.
        int end = k;
        const bool haveSurvivor = i < current.size();
        while (end < next.size() && (!haveSurvivor || keyOf(next.at(end)) != keyOf(current.at(i))))
            ++end;
        ops.beginInsert(i, i + (end - k) - 1);
        for (int n = k; n < end; ++n)
            current.insert(i + (n - k), next.at(n));
        ops.endInsert();
        i += end - k;
        k = end;
    }
    if (firstChanged >= 0)
        ops.changed(firstChanged, lastChanged);
}

/// One step of a recorded diff: rows [first, last] removed / inserted / changed, or a reset.
struct RowDiffStep
{
    enum class Kind { Remove, Insert, Reset, Changed };
    Kind kind = Kind::Reset;
    int first = 0;
    int last = 0;
};

/**
 * Works out on any thread what syncRows() would do to bring @p current to @p next, without
 * touching a model: the expensive part (hashing, comparing every row) can run on a worker
 * and the GUI thread only replays the steps with replayRows().
 */
template <typename Row, typename KeyOf>
QList<RowDiffStep> planRows(QList<Row> current, const QList<Row> &next, KeyOf keyOf)
{
    using Kind = RowDiffStep::Kind;
    QList<RowDiffStep> steps;
    const RowDiffOps record{
        [&steps](int f, int l) { steps.append({Kind::Remove, f, l}); }, [] {},
        [&steps](int f, int l) { steps.append({Kind::Insert, f, l}); }, [] {},
        [&steps] { steps.append({Kind::Reset, 0, 0}); }, [] {},
        [&steps](int f, int l) { steps.append({Kind::Changed, f, l}); }};
    syncRows(current, next, keyOf, record);
    return steps;
}

/**
 * Applies steps from planRows() to the model's @p current rows with the model signals in
 * @p ops; afterwards @p current equals @p next. Cost: the steps and the inserted rows only.
 * Inserted runs are at their final positions, so they are copied from @p next directly.
 */
template <typename Row>
void replayRows(QList<Row> &current, const QList<Row> &next, const QList<RowDiffStep> &steps, const RowDiffOps &ops)
{
    using Kind = RowDiffStep::Kind;
    for (const RowDiffStep &step : steps) {
        switch (step.kind) {
        case Kind::Remove:
            ops.beginRemove(step.first, step.last);
            current.remove(step.first, step.last - step.first + 1);
            ops.endRemove();
            break;
        case Kind::Insert:
            ops.beginInsert(step.first, step.last);
            if (step.first == current.size())
                current.append(next.mid(step.first, step.last - step.first + 1));
            else
                current = current.mid(0, step.first) + next.mid(step.first, step.last - step.first + 1) + current.mid(step.first);
            ops.endInsert();
            break;
        case Kind::Reset:
            ops.beginReset();
            current = next;
            ops.endReset();
            return;
        case Kind::Changed:
            current = next;
            ops.changed(step.first, step.last);
            break;
        }
    }
    current = next; // same rows and order; shares next's data
}

} // namespace Switchboard

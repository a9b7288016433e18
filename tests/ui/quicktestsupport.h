#pragma once

// Helpers of the console's UI tests: items by objectName, free ports for headless nodes.

#include <QtCore/QList>
#include <QtCore/QSet>
#include <QtNetwork/QTcpServer>
#include <QtQuick/QQuickItem>

namespace Switchboard::Test {

/// Every item below @p root (visual children, then QObject children such as popups' items)
/// for which @p match is true, in breadth-first order.
template <typename Match>
QList<QQuickItem *> findItems(QQuickItem *root, Match match)
{
    QList<QQuickItem *> found;
    QList<QQuickItem *> queue{root};
    QSet<QQuickItem *> seen;
    while (!queue.isEmpty()) {
        QQuickItem *item = queue.takeFirst();
        if (!item || seen.contains(item))
            continue;
        seen.insert(item);
        if (item != root && match(item))
            found.append(item);
        queue.append(item->childItems());
        for (QObject *child : item->children()) {
            if (auto *childItem = qobject_cast<QQuickItem *>(child))
                queue.append(childItem);
        }
    }
    return found;
}

inline QQuickItem *findItem(QQuickItem *root, const QString &objectName)
{
    const auto items = findItems(root, [&](QQuickItem *i) { return i->objectName() == objectName; });
    return items.isEmpty() ? nullptr : items.first();
}

/// A TCP port free on the loopback now (for a node started right after).
inline quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

} // namespace Switchboard::Test

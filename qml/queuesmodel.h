#pragma once

#include <QtCore/QAbstractListModel>
#include <QtQml/qqmlregistration.h>

namespace Switchboard {

class Server;

/**
 * @brief Per-queue depth by state and rates, for the Queues page.
 *
 * The durable queues (SPEC §4) are a later issue, and the Server exposes no per-queue
 * statistics yet: @c available stays false and the model empty, and the page says so. The
 * roles are the ones the queue issue will fill, so the page layout does not change then.
 */
class QueuesModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(bool available READ available CONSTANT)
    Q_PROPERTY(int count READ count CONSTANT)

public:
    enum Role { NameRole = Qt::UserRole + 1, ReadyRole, InFlightRole, DelayedRole, DeadRole,
                EnqueuedPerSecRole, AckedPerSecRole, ConsumersRole };
    Q_ENUM(Role)

    explicit QueuesModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    bool available() const { return false; }
    int count() const { return 0; }
};

} // namespace Switchboard

#include "queuesmodel.h"

namespace Switchboard {

QueuesModel::QueuesModel(QObject *parent) : QAbstractListModel(parent)
{
}

int QueuesModel::rowCount(const QModelIndex &) const
{
    return 0;
}

QVariant QueuesModel::data(const QModelIndex &, int) const
{
    return {};
}

QHash<int, QByteArray> QueuesModel::roleNames() const
{
    return {{NameRole, "name"}, {ReadyRole, "ready"}, {InFlightRole, "inFlight"}, {DelayedRole, "delayed"},
            {DeadRole, "dead"}, {EnqueuedPerSecRole, "enqueuedPerSec"}, {AckedPerSecRole, "ackedPerSec"},
            {ConsumersRole, "consumers"}};
}

} // namespace Switchboard

#include "consolesource.h"

namespace Switchboard {

int ConsoleSource::roleRank(const QString &role)
{
    if (role == QLatin1String("admin"))
        return 3;
    if (role == QLatin1String("operator"))
        return 2;
    if (role == QLatin1String("viewer"))
        return 1;
    return 0;
}

void ConsoleSource::setReadOnly(bool readOnly)
{
    if (m_readOnly == readOnly)
        return;
    m_readOnly = readOnly;
    Q_EMIT roleChanged();
}

bool ConsoleSource::allows(const QString &action) const
{
    if (m_readOnly && action != QLatin1String("connection"))
        return false;
    const QString needed = requiredRole(action);
    return needed.isEmpty() || roleRank(role()) >= roleRank(needed);
}

} // namespace Switchboard

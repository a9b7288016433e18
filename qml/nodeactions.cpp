#include "nodeactions.h"

#include <QtCore/QJsonObject>
#include <QtCore/QPointer>

#include "consolecontext.h"

namespace Switchboard {

NodeActions::NodeActions(QObject *parent) : NodeActions(ConsoleContext::source(), parent)
{
}

NodeActions::NodeActions(ConsoleSource *source, QObject *parent) : QObject(parent), m_source(source)
{
}

NodeActions::NodeActions(Server *server, QObject *parent) : QObject(parent), m_source(server)
{
}

void NodeActions::finish(bool ok, const QString &message)
{
    m_failed = !ok;
    m_message = message;
    Q_EMIT messageChanged();
    if (m_busy) {
        m_busy = false;
        Q_EMIT busyChanged();
    }
}

bool NodeActions::run(const QString &action, const QJsonObject &args, const QString &okText)
{
    if (!m_source || m_busy)
        return false;
    m_busy = true;
    Q_EMIT busyChanged();
    const QPointer<NodeActions> self(this);
    const bool sent = m_source->action(action, args, [self, action, okText](const SourceResult &r) {
        if (!self)
            return;
        if (!r.ok) {
            self->finish(false, r.message.isEmpty() ? tr("The node refused: %1").arg(r.result) : r.message);
            return;
        }
        if (action == QLatin1String("mint_token")) {
            const QString token = r.data.value(QLatin1String("token")).toString();
            if (token.isEmpty()) {
                self->finish(false, tr("The node answered without a token."));
                return;
            }
            self->finish(true, okText);
            Q_EMIT self->tokenMinted(token, r.data.value(QLatin1String("role")).toString(),
                                     r.data.value(QLatin1String("name")).toString());
            return;
        }
        self->finish(true, okText);
    });
    if (!sent)
        finish(false, tr("Not connected to the node."));
    return sent;
}

bool NodeActions::drain()
{
    return run(QStringLiteral("drain"), {}, tr("Draining: no new sessions; the open ones are closed gradually."));
}

bool NodeActions::undrain()
{
    return run(QStringLiteral("undrain"), {}, tr("Drain ended: the node accepts sessions again."));
}

bool NodeActions::mintToken(const QString &role, const QString &name, int ttlHours)
{
    const QString n = name.trimmed();
    if (role != QLatin1String("viewer") && role != QLatin1String("operator") && role != QLatin1String("admin")) {
        finish(false, tr("Choose a role: viewer, operator or admin."));
        return false;
    }
    bool printable = !n.isEmpty() && n.size() <= kMaxNameLength;
    for (const QChar c : n)
        printable = printable && c.isPrint();
    if (!printable) {
        finish(false, tr("The name must be 1 to %1 printable characters.").arg(kMaxNameLength));
        return false;
    }
    if (ttlHours < 1 || ttlHours > kMaxTtlHours) {
        finish(false, tr("The lifetime must be 1 to %1 hours.").arg(kMaxTtlHours));
        return false;
    }
    return run(QStringLiteral("mint_token"),
               {{QStringLiteral("role"), role}, {QStringLiteral("name"), n}, {QStringLiteral("ttl"), QStringLiteral("%1h").arg(ttlHours)}},
               tr("Token minted for %1 (%2), valid %3 h.").arg(n, role).arg(ttlHours));
}

} // namespace Switchboard

#pragma once

#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtQml/qqmlregistration.h>

#include "source/sourceref.h"

namespace Switchboard {

class ConsoleSource;
class Server;

/**
 * @brief The Overview's node actions: drain and undrain the node, and mint an admin token
 * (docs/console.md, "Drain and tokens").
 *
 * Each goes through ConsoleSource::action() ("drain", "undrain", "mint_token"), so the node
 * checks the role and audits the action as it does over HTTP; the console only disables what
 * the role does not allow. One action at a time; the outcome is a line of text, and a minted
 * token is handed over once, by tokenMinted(), and not kept here.
 */
class NodeActions : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(QString message READ message NOTIFY messageChanged)
    Q_PROPERTY(bool failed READ failed NOTIFY messageChanged)

public:
    explicit NodeActions(QObject *parent = nullptr);
    NodeActions(ConsoleSource *source, QObject *parent);
    NodeActions(Server *server, QObject *parent);

    bool busy() const { return m_busy; }
    QString message() const { return m_message; }
    bool failed() const { return m_failed; }

    /// Longest admin token lifetime the dialog offers (the CLI's --ttl takes any).
    static constexpr int kMaxTtlHours = 24 * 90;
    static constexpr int kMaxNameLength = 64;

    Q_INVOKABLE bool drain();
    Q_INVOKABLE bool undrain();
    /**
     * Asks the node for an admin token for @p role ("viewer", "operator", "admin") named
     * @p name, valid @p ttlHours. Checked here first (role, name 1-64 printable characters,
     * 1 h to 90 days); false with message() when it is not sent.
     */
    Q_INVOKABLE bool mintToken(const QString &role, const QString &name, int ttlHours);

Q_SIGNALS:
    void busyChanged();
    void messageChanged();
    /// The node's answer to mintToken(): the token, shown once.
    void tokenMinted(const QString &token, const QString &role, const QString &name);

private:
    bool run(const QString &action, const QJsonObject &args, const QString &okText);
    void finish(bool ok, const QString &message);

    SourceRef m_source{static_cast<ConsoleSource *>(nullptr)};
    bool m_busy = false;
    bool m_failed = false;
    QString m_message;
};

} // namespace Switchboard

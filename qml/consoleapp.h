#pragma once

#include <memory>

#include <QtCore/QString>

QT_BEGIN_NAMESPACE
class QQmlApplicationEngine;
QT_END_NAMESPACE

namespace Switchboard {

class Server;

/**
 * @brief The operator console: a QML engine showing Main.qml, with the view models bound to
 * an already running Server. Create it after a QApplication exists.
 */
class ConsoleApp final
{
    Q_DISABLE_COPY_MOVE(ConsoleApp)

public:
    explicit ConsoleApp(Server &server);
    ~ConsoleApp();

    bool load(QString *error);
    QQmlApplicationEngine &engine() { return *m_engine; }

private:
    Server &m_server;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
};

} // namespace Switchboard

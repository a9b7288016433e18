#include "consoleapp.h"

#include <QtQml/QQmlApplicationEngine>

#include "serverstatus.h"
#include "server.h"

namespace Switchboard {

ConsoleApp::ConsoleApp(Server &server)
    : m_server(server), m_engine(std::make_unique<QQmlApplicationEngine>())
{
    ServerStatus::setServer(&m_server);
}

ConsoleApp::~ConsoleApp()
{
    m_engine.reset();
    ServerStatus::setServer(nullptr);
}

bool ConsoleApp::load(QString *error)
{
    // Qt 6.4 has no loadFromModule(); the module's files live under qrc:/<URI path>/.
    m_engine->load(QUrl(QStringLiteral("qrc:/Switchboard/Console/Main.qml")));
    if (m_engine->rootObjects().isEmpty()) {
        *error = QStringLiteral("Main.qml failed to load");
        return false;
    }
    return true;
}

} // namespace Switchboard

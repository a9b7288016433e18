#pragma once

#include <functional>

#include <QtCore/QString>

namespace Switchboard {

class Server;

/**
 * @brief Where the console's QML types find the Server they show.
 *
 * ConsoleApp sets it before Main.qml loads and clears it when the engine is gone; the view
 * models created from QML (and the singletons' create()) read it once, at construction.
 * Tests constructing models directly pass the server explicitly instead.
 */
namespace ConsoleContext {

Server *server();
void setServer(Server *server);

/// Installs the translator for @p language ("en", "de", "fr") and retranslates the engine.
using LanguageSwitcher = std::function<bool(const QString &language)>;
void setLanguageSwitcher(LanguageSwitcher switcher);
bool switchLanguage(const QString &language);

} // namespace ConsoleContext
} // namespace Switchboard

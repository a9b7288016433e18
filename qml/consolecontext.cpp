#include "consolecontext.h"

namespace Switchboard::ConsoleContext {

namespace {
Server *g_server = nullptr;
LanguageSwitcher g_switcher;
}

Server *server()
{
    return g_server;
}

void setServer(Server *server)
{
    g_server = server;
}

void setLanguageSwitcher(LanguageSwitcher switcher)
{
    g_switcher = std::move(switcher);
}

bool switchLanguage(const QString &language)
{
    return g_switcher ? g_switcher(language) : false;
}

} // namespace Switchboard::ConsoleContext

#include "consolecontext.h"

namespace Switchboard::ConsoleContext {

namespace {
ConsoleSource *g_source = nullptr;
LanguageSwitcher g_switcher;
Attacher g_attacher;
Detacher g_detacher;
const ConnectionProfile *g_profile = nullptr;
}

const ConnectionProfile *profile()
{
    return g_profile;
}

void setProfile(const ConnectionProfile *profile)
{
    g_profile = profile;
}

void setAttacher(Attacher attacher)
{
    g_attacher = std::move(attacher);
}

void attach(const ConnectionProfile &profile, const QString &token)
{
    if (g_attacher)
        g_attacher(profile, token);
}

void setDetacher(Detacher detacher)
{
    g_detacher = std::move(detacher);
}

bool canDetach()
{
    return bool(g_detacher);
}

void detach()
{
    if (g_detacher)
        g_detacher();
}

ConsoleSource *source()
{
    return g_source;
}

void setSource(ConsoleSource *source)
{
    g_source = source;
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

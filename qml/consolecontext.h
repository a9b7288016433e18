#pragma once

#include <functional>

#include <QtCore/QString>

namespace Switchboard {

class ConsoleSource;
struct ConnectionProfile;

/**
 * @brief Where the console's QML types find the ConsoleSource they show.
 *
 * ConsoleApp sets it before Main.qml loads and clears it when the engine is gone; the view
 * models created from QML (and the singletons' create()) read it once, at construction.
 * Tests constructing models directly pass the source (or a server) explicitly instead.
 */
namespace ConsoleContext {

ConsoleSource *source();
void setSource(ConsoleSource *source);

/// The profile the console is attached through (name, colour, banner), or null.
const ConnectionProfile *profile();
void setProfile(const ConnectionProfile *profile);

/// Attaches the console to a remote node (the "Connect to server…" dialog); ConsoleApp sets it.
using Attacher = std::function<void(const ConnectionProfile &profile, const QString &token)>;
void setAttacher(Attacher attacher);
void attach(const ConnectionProfile &profile, const QString &token);

/// Shows the embedded server again after attach() (the rail's "Back to the embedded server");
/// ConsoleApp sets it when it has an embedded server. canDetach() is true when it is set.
using Detacher = std::function<void()>;
void setDetacher(Detacher detacher);
bool canDetach();
void detach();

/// Installs the translator for @p language ("en", "de", "fr") and retranslates the engine.
using LanguageSwitcher = std::function<bool(const QString &language)>;
void setLanguageSwitcher(LanguageSwitcher switcher);
bool switchLanguage(const QString &language);

} // namespace ConsoleContext
} // namespace Switchboard

#include "loglevel.h"

#include <QtCore/QLoggingCategory>

namespace Switchboard {

void applyLogLevel(const QString &level)
{
    const bool debug = level == QLatin1String("debug");
    const bool info = debug || level == QLatin1String("info");
    const bool warning = info || level == QLatin1String("warning");
    QLoggingCategory::setFilterRules(QStringLiteral("switchboard.*.debug=%1\nswitchboard.*.info=%2\nswitchboard.*.warning=%3")
                                         .arg(debug ? "true" : "false", info ? "true" : "false", warning ? "true" : "false"));
}

} // namespace Switchboard

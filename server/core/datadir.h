#pragma once

#include "config.h"

namespace Switchboard {

/**
 * @brief Makes a config usable on a developer box: picks the data dir when none is set,
 * creates it, and loads (or generates and keeps, mode 0600) the JWT secret, the admin token
 * secret and the internal key when they are not configured. @p notes receives what was generated, for the log.
 */
bool prepareDataDir(ServerConfig *config, QString *error, QStringList *notes = nullptr);

QString defaultDataDir();

} // namespace Switchboard

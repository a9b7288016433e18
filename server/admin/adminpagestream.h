#pragma once

#include <memory>

#include "admin/adminstreams.h"

namespace Switchboard {

class Server;

/// The `connections` (@p rooms false) or `rooms` stream of the admin channel: one node's or
/// the cluster's page, by the query's `node` (docs/admin-channel.md, "connections").
std::unique_ptr<AdminStream> makeNodePageStream(Server &server, bool rooms);

} // namespace Switchboard

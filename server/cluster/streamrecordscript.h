#pragma once

#include <QtCore/QByteArray>

namespace Switchboard::StreamRecordScript {

/**
 * The Lua script that records an event in the recovery stream, atomically in Redis
 * (docs/cluster.md, "Connection state recovery"):
 *
 *   KEYS[1] the stream, KEYS[2] its byte total (a string: the bytes of the entries kept)
 *   ARGV[1] the entry ("" for none: a gap marker and/or a trim only)
 *   ARGV[2] "1": write a gap marker first; ARGV[3] the marker's reason
 *   ARGV[4] most entries, ARGV[5] most bytes, ARGV[6] most age in ms (0: none),
 *   ARGV[7] most bytes of one entry
 *
 * An entry over ARGV[7] is not added; a gap marker is written in its place. Then the oldest
 * entries go while the stream is over the entries, the bytes or the age (Redis' own clock,
 * TIME). Answers {marker id or false, entry id or false, entries trimmed}.
 */
const QByteArray &source();
const QByteArray &sha1();
/// Bytes an entry counts for besides its value (its id and field name, roughly).
constexpr qint64 kEntryOverhead = 40;

} // namespace Switchboard::StreamRecordScript

#pragma once

#include <atomic>
#include <functional>

#include <QtCore/QByteArray>

#include "cluster/redislink.h"

namespace Switchboard {

/**
 * @brief Follows one Redis Stream from where it was when the tail started: XREAD BLOCK
 * COUNT n from the last id read, again and again, on a RedisLink of its own (its own thread
 * and connection, so a blocked XREAD holds up no other command, and never an I/O thread).
 *
 * Every entry is handed to the entry handler in stream order, once. The BLOCK time stays
 * well inside the link's command deadline (a third of it, at most 1 s), so a Redis that
 * stops answering is still noticed. After a reconnect the tail goes on from the last id it
 * read: entries added meanwhile are handed over, and entries trimmed meanwhile are skipped
 * (XREAD answers what is after the id, whatever is left). Before each read it asks the
 * ready() callback; while that says no (the consumers are full) it looks again every 10 ms
 * instead of reading, so what it holds is one read's entries at most.
 *
 * A stream that went back (Redis lost it in a restart without persistence, or it was deleted
 * or flushed: its last id is now below the last id read, or it is gone) is read again from
 * its start, and the rewound handler is told: its entries are all newer than what was read,
 * and none of them was handed over yet. This is checked after every reconnect, and when
 * recheck() asks (a record answered with an id the tail has passed), and every 2 s while
 * reads come back empty.
 */
class RedisStreamTail final
{
    Q_DISABLE_COPY_MOVE(RedisStreamTail)

public:
    struct Options
    {
        int timeoutMs = 3000; // the link's command deadline
        int count = 256;      // entries per XREAD
    };
    /// On the tail's thread: the id the tail starts after (the stream's last id when it first
    /// reached Redis; "0-0" for no stream yet).
    using Started = std::function<void(const QByteArray &id)>;
    /// On the tail's thread: one entry, [id, [field, value, …]].
    using Entry = std::function<void(const RedisReply &entry)>;
    /// On the tail's thread: the stream went back; the tail reads it from its start.
    using Rewound = std::function<void()>;

    RedisStreamTail(RedisUrl url, QByteArray streamKey, Options options);
    ~RedisStreamTail();

    void start(Started started, Entry entry, Rewound rewound, std::function<bool()> ready);
    void stop();
    /// Any thread: checks on the tail's thread whether the stream went back (see above).
    void recheck();

    bool isConnected() const { return m_link.isConnected(); }

private:
    void begin();
    void check(bool starting);
    void read();

    const Options m_options;
    RedisLink m_link;
    const QByteArray m_streamKey;
    Started m_started;
    Entry m_entry;
    Rewound m_rewound;
    std::function<bool()> m_ready;
    // The tail's thread only.
    QByteArray m_last;     // empty until the start point is known
    bool m_reading = false;
    qint64 m_lastCheckMs = 0;
    static constexpr qint64 kQuietCheckMs = 2000;
};

} // namespace Switchboard

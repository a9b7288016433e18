#include "redisstreamtail.h"

#include <chrono>

#include "core/logging.h"
#include "rooms/eventstream.h"

namespace Switchboard {

RedisStreamTail::RedisStreamTail(RedisUrl url, QByteArray streamKey, Options options)
    : m_options(options)
    , m_link(std::move(url), RedisLink::Options{options.timeoutMs, 1024 * 1024})
    , m_streamKey(std::move(streamKey))
{
    // connectedChanged arrives on the thread the link object lives on (the main thread):
    // begin() runs on the link's own thread, where every other use of m_last and m_reading is.
    QObject::connect(&m_link, &RedisLink::connectedChanged, &m_link, [this](bool connected) {
        if (connected)
            m_link.later(0, [this] { begin(); });
    });
}

RedisStreamTail::~RedisStreamTail()
{
    stop();
}

void RedisStreamTail::start(Started started, Entry entry, Rewound rewound, std::function<bool()> ready)
{
    m_started = std::move(started);
    m_entry = std::move(entry);
    m_rewound = std::move(rewound);
    m_ready = std::move(ready);
    m_link.start();
}

void RedisStreamTail::stop()
{
    m_link.stop();
}

void RedisStreamTail::begin()
{
    if (m_reading)
        return;
    m_reading = true;
    check(true);
}

void RedisStreamTail::recheck()
{
    m_link.later(0, [this] {
        if (m_reading && !m_last.isEmpty())
            check(false);
    });
}

void RedisStreamTail::check(bool starting)
{
    // Where the tail starts (what was recorded before the node reached Redis is not its to
    // deliver), or whether the stream went back since it last read.
    m_link.command({"XINFO", "STREAM", m_streamKey}, [this, starting](const RedisReply &reply) {
        QByteArray lastGenerated;
        if (reply.type == RedisReply::Type::Array) {
            for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
                if (reply.elements.at(i).string == "last-generated-id")
                    lastGenerated = reply.elements.at(i + 1).string;
            }
        } else if (reply.isError() && reply.string.startsWith("ERR no such key")) {
            lastGenerated = "0-0";
        }
        if (lastGenerated.isEmpty()) { // the link went down, or an unexpected answer: tried again when it is back
            if (!starting)
                return;
            m_reading = false;
            if (m_link.isConnected())
                m_link.later(1000, [this] { begin(); });
            return;
        }
        if (m_last.isEmpty()) {
            m_last = lastGenerated;
            m_started(m_last);
        } else if (StreamOffset::fromStreamId(lastGenerated) < StreamOffset::fromStreamId(m_last)) {
            qCWarning(lcServer).noquote() << "cluster: the recovery stream went back (Redis lost or deleted it): last id"
                                          << QString::fromLatin1(lastGenerated) << "below" << QString::fromLatin1(m_last)
                                          << "read; reading it from its start";
            m_last = "0-0";
            m_rewound();
        }
        if (starting)
            read();
    });
}

void RedisStreamTail::read()
{
    if (!m_ready()) {
        m_link.later(10, [this] { read(); });
        return;
    }
    const int block = qBound(10, m_options.timeoutMs / 3, 1000);
    m_link.command({"XREAD", "COUNT", QByteArray::number(m_options.count), "BLOCK", QByteArray::number(block),
                    "STREAMS", m_streamKey, m_last},
                   [this](const RedisReply &reply) {
                       if (reply.isError()) {
                           // A dropped link starts again from m_last once it is back (connectedChanged).
                           m_reading = false;
                           qCWarning(lcServer).noquote() << "cluster: reading the recovery stream failed:" << QString::fromUtf8(reply.string);
                           if (m_link.isConnected())
                               m_link.later(1000, [this] { begin(); });
                           return;
                       }
                       // Nil: nothing within the BLOCK time. Otherwise [[key, [entry, …]]].
                       if (reply.elements.isEmpty()) {
                           // A quiet stream, or one that went back below m_last (whose new
                           // entries XREAD never returns): looked at every few seconds.
                           const qint64 now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::steady_clock::now().time_since_epoch()).count();
                           if (now - m_lastCheckMs >= kQuietCheckMs) {
                               m_lastCheckMs = now;
                               check(false);
                           }
                       }
                       for (const RedisReply &stream : reply.elements) {
                           if (stream.elements.size() < 2)
                               continue;
                           for (const RedisReply &entry : stream.elements.at(1).elements) {
                               if (entry.elements.size() < 2)
                                   continue;
                               m_last = entry.elements.at(0).string;
                               m_entry(entry);
                           }
                       }
                       read();
                   });
}

} // namespace Switchboard

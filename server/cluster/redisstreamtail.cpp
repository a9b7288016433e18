#include "redisstreamtail.h"

#include "core/logging.h"

namespace Switchboard {

RedisStreamTail::RedisStreamTail(RedisUrl url, QByteArray streamKey, Options options)
    : m_options(options)
    , m_link(std::move(url), RedisLink::Options{options.timeoutMs, 1024 * 1024})
    , m_streamKey(std::move(streamKey))
{
    QObject::connect(&m_link, &RedisLink::connectedChanged, &m_link, [this](bool connected) {
        if (connected)
            begin();
    });
}

RedisStreamTail::~RedisStreamTail()
{
    stop();
}

void RedisStreamTail::start(Started started, Entry entry, std::function<bool()> ready)
{
    m_started = std::move(started);
    m_entry = std::move(entry);
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
    if (!m_last.isEmpty())
        return read();
    // Where the tail starts: what was recorded before the node reached Redis is not its to deliver.
    m_link.command({"XINFO", "STREAM", m_streamKey}, [this](const RedisReply &reply) {
        if (reply.type == RedisReply::Type::Array) {
            for (qsizetype i = 0; i + 1 < reply.elements.size(); i += 2) {
                if (reply.elements.at(i).string == "last-generated-id")
                    m_last = reply.elements.at(i + 1).string;
            }
        } else if (reply.isError() && reply.string.startsWith("ERR no such key")) {
            m_last = "0-0";
        }
        if (m_last.isEmpty()) { // the link went down, or an unexpected answer: tried again when it is back
            m_reading = false;
            if (m_link.isConnected())
                m_link.later(1000, [this] { begin(); });
            return;
        }
        m_started(m_last);
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

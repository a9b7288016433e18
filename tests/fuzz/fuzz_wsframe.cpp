// libFuzzer target: WebSocket frames from a client, as WsStream reads them from its socket in
// arbitrary splits (masking, lengths, fragmentation, control frames, UTF-8, close codes).
#include <sys/socket.h>
#include <unistd.h>

#include <QtCore/QCoreApplication>

#include "fuzzsplit.h"
#include "transport/wsstream.h"

namespace Switchboard {

struct WsStreamFuzzer
{
    static void run(const uint8_t *input, size_t inputSize)
    {
        Fuzz::Splitter split(input, inputSize);
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, pair) != 0)
            return;
        auto *stream = new WsStream(pair[0]);
        stream->setMaxMessageSize(16 * 1024);
        qint64 received = 0;
        QObject::connect(stream, &WsStream::textReceived, [&](const QByteArray &m) { received += m.size(); });
        QObject::connect(stream, &WsStream::binaryReceived, [&](const QByteArray &m) { received += m.size(); });
        char sink[65536];
        for (size_t pos = 0; pos < split.size() && stream->state() != WsStream::State::Closed;) {
            const size_t chunk = split.next(pos);
            if (::write(pair[1], split.data() + pos, chunk) != ssize_t(chunk))
                break;
            pos += chunk;
            stream->onReadable();
            while (::read(pair[1], sink, sizeof sink) > 0) {
                // what the server answered (pongs, close frames) is dropped
            }
        }
        delete stream;
        ::close(pair[1]);
    }
};

} // namespace Switchboard

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv); // QSocketNotifier needs an event dispatcher
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Switchboard::WsStreamFuzzer::run(data, size);
    return 0;
}

// libFuzzer target: HTTP/1.1 requests through RequestParser (http-parser 2.9 and our limits),
// fed in arbitrary splits as HttpFront feeds it, pipelined requests included.
#include "fuzzsplit.h"
#include "http/requestparser.h"

using namespace Switchboard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Fuzz::Splitter split(data, size);
    RequestParser parser(HttpLimits{}, [](const RequestData &head) {
        RequestParser::HeadVerdict verdict;
        verdict.maxBody = 4096;
        if (head.url().path() == QLatin1String("/admin") && head.value("authorization").isEmpty())
            verdict.refuse = HttpResponse::error(401, QStringLiteral("unauthorized"), QStringLiteral("no"));
        return verdict;
    });
    QByteArray inbox;
    size_t pos = 0;
    qsizetype bodies = 0;
    for (;;) {
        if (inbox.isEmpty()) {
            if (pos >= split.size())
                break;
            const size_t chunk = split.next(pos);
            inbox = QByteArray(reinterpret_cast<const char *>(split.data() + pos), qsizetype(chunk));
            pos += chunk;
        }
        const qsizetype taken = parser.feed(inbox.constData(), inbox.size());
        if (taken < 0 || taken > inbox.size())
            __builtin_trap(); // feed() took bytes it was not given
        inbox.remove(0, taken);
        if (parser.failed())
            break;
        if (parser.hasRequest()) {
            const RequestData request = parser.takeRequest();
            bodies += request.body().size() + request.value("host").size() + request.url().path().size();
        } else if (taken == 0 && !inbox.isEmpty()) {
            __builtin_trap(); // no progress on data it was given
        }
    }
    return bodies < 0;
}

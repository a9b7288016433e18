// switchboard-loadgen: opens many real WebSocket clients against a Switchboard (or any server
// speaking its protocol), subscribes them to rooms, drives events through the HTTP emit API
// and/or client emits, and reports connect time, delivered messages per second and the
// end-to-end latency (emit call -> client receive) as one JSON line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include <sys/resource.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtWebSockets/QWebSocket>

#include "auth/jwt.h"

using namespace Switchboard;

namespace {

qint64 nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct Stats
{
    qint64 connected = 0;
    qint64 failed = 0;
    qint64 closed = 0;
    qint64 received = 0;
    qint64 emitted = 0;
    qint64 emitErrors = 0;
    std::vector<qint64> latenciesUs;
};

class Client final : public QObject
{
public:
    Client(Stats &stats, const QString &room) : m_stats(stats), m_room(room)
    {
        connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) { onText(text); });
        connect(&m_socket, &QWebSocket::disconnected, this, [this] {
            if (m_welcomed)
                ++m_stats.closed;
            else
                ++m_stats.failed;
        });
    }
    void open(const QUrl &url) { m_socket.open(url); }
    void emitToRoom(int seq)
    {
        if (!m_welcomed)
            return;
        m_socket.sendTextMessage(QStringLiteral("{\"type\":\"emit\",\"room\":\"%1\",\"event\":\"bench\",\"data\":{\"t\":%2,\"n\":%3}}")
                                     .arg(m_room).arg(nowUs()).arg(seq));
        ++m_stats.emitted;
    }
    bool ready() const { return m_welcomed; }
    void close() { m_socket.close(); }

private:
    void onText(const QString &text)
    {
        if (!m_welcomed) {
            if (text.contains(QLatin1String("\"connected\""))) {
                m_welcomed = true;
                ++m_stats.connected;
                if (!m_room.isEmpty())
                    m_socket.sendTextMessage(QStringLiteral("{\"type\":\"subscribe\",\"channel\":\"%1\"}").arg(m_room));
            }
            return;
        }
        // Cheap parse of "t":<micros> to avoid measuring our own JSON parser.
        const qsizetype at = text.indexOf(QLatin1String("\"t\":"));
        if (at < 0)
            return;
        ++m_stats.received;
        qsizetype end = at + 4;
        while (end < text.size() && text.at(end).isDigit())
            ++end;
        const qint64 sent = QStringView(text).mid(at + 4, end - at - 4).toLongLong();
        if (sent > 0 && (m_stats.received % 16) == 0) // sample to bound memory
            m_stats.latenciesUs.push_back(nowUs() - sent);
    }

    Stats &m_stats;
    QString m_room;
    QWebSocket m_socket;
    bool m_welcomed = false;
};

double percentile(std::vector<qint64> v, double q)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return double(v[size_t(q * double(v.size() - 1))]) / 1000.0;
}

} // namespace

int main(int argc, char **argv)
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
    QCoreApplication app(argc, argv);
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Switchboard load generator"));
    p.addHelpOption();
    p.addOptions({
        {QStringLiteral("url"), QStringLiteral("WebSocket URL."), QStringLiteral("url"), QStringLiteral("ws://127.0.0.1:8080/ws")},
        {QStringLiteral("http"), QStringLiteral("Base HTTP URL for emits."), QStringLiteral("url"), QStringLiteral("http://127.0.0.1:8080")},
        {QStringLiteral("secret"), QStringLiteral("JWT secret used to mint client tokens."), QStringLiteral("secret")},
        {QStringLiteral("internal-key"), QStringLiteral("x-internal-key for HTTP emits."), QStringLiteral("key")},
        {QStringLiteral("connections"), QStringLiteral("Clients to open."), QStringLiteral("n"), QStringLiteral("1000")},
        {QStringLiteral("connect-rate"), QStringLiteral("New connections per second."), QStringLiteral("n"), QStringLiteral("2000")},
        {QStringLiteral("rooms"), QStringLiteral("Rooms the clients are spread over (bench:0..n-1)."), QStringLiteral("n"), QStringLiteral("10")},
        {QStringLiteral("http-rate"), QStringLiteral("HTTP emits per second (round robin over rooms)."), QStringLiteral("n"), QStringLiteral("0")},
        {QStringLiteral("client-rate"), QStringLiteral("Client emits per second (random clients to their room)."), QStringLiteral("n"), QStringLiteral("0")},
        {QStringLiteral("duration"), QStringLiteral("Seconds of traffic after everyone connected."), QStringLiteral("s"), QStringLiteral("10")},
        {QStringLiteral("label"), QStringLiteral("Label in the JSON result."), QStringLiteral("text"), QStringLiteral("switchboard")},
    });
    p.process(app);

    const int connections = p.value(QStringLiteral("connections")).toInt();
    const int rooms = qMax(1, p.value(QStringLiteral("rooms")).toInt());
    const int connectRate = qMax(1, p.value(QStringLiteral("connect-rate")).toInt());
    const int httpRate = p.value(QStringLiteral("http-rate")).toInt();
    const int clientRate = p.value(QStringLiteral("client-rate")).toInt();
    const int duration = p.value(QStringLiteral("duration")).toInt();
    const QByteArray secret = p.value(QStringLiteral("secret")).toUtf8();
    const QByteArray key = p.value(QStringLiteral("internal-key")).toUtf8();
    const QString wsUrl = p.value(QStringLiteral("url"));
    const QString httpBase = p.value(QStringLiteral("http"));

    Stats stats;
    std::vector<std::unique_ptr<Client>> clients;
    clients.reserve(size_t(connections));
    QElapsedTimer clock;
    clock.start();
    qint64 connectMs = -1;
    qint64 trafficStartedMs = -1;
    qint64 receivedAtStart = 0;

    // Ramp up: a batch every 10 ms.
    QTimer ramp;
    ramp.setInterval(10);
    QObject::connect(&ramp, &QTimer::timeout, [&] {
        const int batch = qMax(1, connectRate / 100);
        for (int i = 0; i < batch && int(clients.size()) < connections; ++i) {
            const int n = int(clients.size());
            const QString room = QStringLiteral("bench:%1").arg(n % rooms);
            const QByteArray token = Jwt::mint(QStringLiteral("bench-%1").arg(n), QString(), {}, 3600, secret);
            auto client = std::make_unique<Client>(stats, room);
            client->open(QUrl(wsUrl + QStringLiteral("?token=") + QString::fromLatin1(token)));
            clients.push_back(std::move(client));
        }
        if (int(clients.size()) >= connections)
            ramp.stop();
    });
    ramp.start();

    QNetworkAccessManager http;
    int httpSeq = 0;
    QTimer httpTimer;
    QTimer clientTimer;
    int clientSeq = 0;
    auto startTraffic = [&] {
        trafficStartedMs = clock.elapsed();
        receivedAtStart = stats.received;
        if (httpRate > 0) {
            httpTimer.setInterval(10);
            QObject::connect(&httpTimer, &QTimer::timeout, [&] {
                for (int i = 0; i < qMax(1, httpRate / 100); ++i) {
                    QNetworkRequest request(QUrl(httpBase + QStringLiteral("/api/v1/internal/emit")));
                    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
                    request.setRawHeader("x-internal-key", key);
                    const QByteArray body = QStringLiteral("{\"event\":\"bench\",\"room\":\"bench:%1\",\"payload\":{\"t\":%2,\"n\":%3}}")
                                                .arg(httpSeq % rooms).arg(nowUs()).arg(httpSeq).toUtf8();
                    ++httpSeq;
                    QNetworkReply *reply = http.post(request, body);
                    QObject::connect(reply, &QNetworkReply::finished, reply, [&stats, reply] {
                        if (reply->error() != QNetworkReply::NoError)
                            ++stats.emitErrors;
                        reply->deleteLater();
                    });
                    ++stats.emitted;
                }
            });
            httpTimer.start();
        }
        if (clientRate > 0) {
            clientTimer.setInterval(10);
            QObject::connect(&clientTimer, &QTimer::timeout, [&] {
                for (int i = 0; i < qMax(1, clientRate / 100); ++i)
                    clients[size_t(clientSeq++ % int(clients.size()))]->emitToRoom(clientSeq);
            });
            clientTimer.start();
        }
        QTimer::singleShot(duration * 1000, &app, [&] {
            httpTimer.stop();
            clientTimer.stop();
            // Let in-flight messages land before counting.
            QTimer::singleShot(500, &app, [&] {
                const double seconds = double(clock.elapsed() - trafficStartedMs) / 1000.0;
                QJsonObject result{
                    {QStringLiteral("label"), p.value(QStringLiteral("label"))},
                    {QStringLiteral("connections"), connections},
                    {QStringLiteral("connected"), stats.connected},
                    {QStringLiteral("failed"), stats.failed},
                    {QStringLiteral("closedDuringRun"), stats.closed},
                    {QStringLiteral("connectSeconds"), double(connectMs) / 1000.0},
                    {QStringLiteral("rooms"), rooms},
                    {QStringLiteral("emitted"), stats.emitted},
                    {QStringLiteral("emitErrors"), stats.emitErrors},
                    {QStringLiteral("received"), stats.received - receivedAtStart},
                    {QStringLiteral("receivedPerSec"), double(stats.received - receivedAtStart) / seconds},
                    {QStringLiteral("latencyP50Ms"), percentile(stats.latenciesUs, 0.50)},
                    {QStringLiteral("latencyP95Ms"), percentile(stats.latenciesUs, 0.95)},
                    {QStringLiteral("latencyP99Ms"), percentile(stats.latenciesUs, 0.99)},
                };
                std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
                std::fflush(stdout);
                for (auto &c : clients)
                    c->close();
                QTimer::singleShot(300, &app, &QCoreApplication::quit);
            });
        });
    };

    QTimer progress;
    progress.setInterval(20);
    QObject::connect(&progress, &QTimer::timeout, [&] {
        if (stats.connected + stats.failed >= connections) {
            progress.stop();
            connectMs = clock.elapsed();
            std::fprintf(stderr, "connected %lld/%d in %.2f s (%lld failed)\n", stats.connected, connections,
                         double(connectMs) / 1000.0, stats.failed);
            // Give subscriptions a moment to be processed before traffic starts.
            QTimer::singleShot(300, &app, startTraffic);
        } else if (clock.elapsed() > 120000) {
            std::fprintf(stderr, "gave up waiting for connections: %lld connected, %lld failed\n", stats.connected, stats.failed);
            app.exit(1);
        }
    });
    progress.start();
    return app.exec();
}

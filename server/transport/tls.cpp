#include "tls.h"

#include <cerrno>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <QtCore/QFile>
#include <QtCore/QHash>
#include <QtCore/QLoggingCategory>
#include <QtCore/QSocketNotifier>

#include "core/logging.h"

namespace Switchboard {

namespace {

constexpr int kReadChunk = 64 * 1024;        // one recv() from either side
constexpr qsizetype kNetHigh = 256 * 1024;   // ciphertext queued before the plain side waits
constexpr int kEndGraceMs = 2000;            // after the plain side ended, everything closes (once
                                             // a peer that ended too has not read for that long)
constexpr qint64 kDiscardLimit = 256 * 1024; // input read and dropped after the plain side ended

/// OpenSSL's error queue as one line (and emptied).
QString sslErrors()
{
    QStringList parts;
    while (const unsigned long code = ERR_get_error()) {
        char text[256];
        ERR_error_string_n(code, text, sizeof(text));
        parts.append(QString::fromLatin1(text));
    }
    return parts.isEmpty() ? QStringLiteral("unknown TLS error") : parts.join(QStringLiteral("; "));
}

/// One recv(): the bytes read; 0 at end of file or on an error; -1 when nothing is there now.
ssize_t receive(int fd, char *buffer, size_t size, int flags = 0)
{
    const ssize_t n = ::recv(fd, buffer, size, flags);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? -1 : 0;
    return n;
}

char *scratch()
{
    thread_local QByteArray buffer(kReadChunk, Qt::Uninitialized);
    return buffer.data();
}

/// A socket's identity, the same through every duplicate of its descriptor (0 if unknown).
quint64 socketKey(int fd)
{
    struct stat info{};
    return ::fstat(fd, &info) == 0 ? quint64(info.st_ino) : 0;
}

/// This thread's pumps, by the inode of their pair's far end.
QHash<quint64, TlsPump *> &registry()
{
    thread_local QHash<quint64, TlsPump *> pumps;
    return pumps;
}

} // namespace

std::shared_ptr<TlsContext> TlsContext::load(const QString &certFile, const QString &keyFile, QString *error)
{
    std::shared_ptr<TlsContext> context(new TlsContext(certFile, keyFile));
    context->m_ctx = build(certFile, keyFile, &context->m_fingerprint, error);
    if (!context->m_ctx)
        return nullptr;
    return context;
}

TlsContext::~TlsContext()
{
    SSL_CTX_free(m_ctx);
}

SSL_CTX *TlsContext::build(const QString &certFile, const QString &keyFile, QString *fingerprint, QString *error)
{
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx) {
        *error = sslErrors();
        return nullptr;
    }
    // TLS 1.2 and 1.3; for 1.2 only forward-secret AEAD suites. No renegotiation, no compression.
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    // AES-128-GCM first (what Mozilla's intermediate profile prefers, and cheaper per byte than
    // AES-256 on a fan-out), then ChaCha20-Poly1305 for clients without AES instructions.
    SSL_CTX_set_cipher_list(ctx, "ECDHE+AES128GCM:ECDHE+CHACHA20:ECDHE+AES256GCM:!aNULL:!SHA1");
    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384");
    // An idle connection gives its record buffers back (about 34 KiB each).
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    const QByteArray cert = QFile::encodeName(certFile);
    const QByteArray key = QFile::encodeName(keyFile);
    if (SSL_CTX_use_certificate_chain_file(ctx, cert.constData()) != 1) {
        *error = QStringLiteral("cannot use the certificate %1: %2").arg(certFile, sslErrors());
        SSL_CTX_free(ctx);
        return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, key.constData(), SSL_FILETYPE_PEM) != 1) {
        *error = QStringLiteral("cannot use the private key %1: %2").arg(keyFile, sslErrors());
        SSL_CTX_free(ctx);
        return nullptr;
    }
    if (SSL_CTX_check_private_key(ctx) != 1) {
        *error = QStringLiteral("the private key %1 does not match the certificate %2").arg(keyFile, certFile);
        ERR_clear_error();
        SSL_CTX_free(ctx);
        return nullptr;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509 *leaf = SSL_CTX_get0_certificate(ctx); leaf && X509_digest(leaf, EVP_sha256(), digest, &length) == 1)
        *fingerprint = QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex(':'));
    return ctx;
}

bool TlsContext::reload(QString *error)
{
    QString fingerprint;
    SSL_CTX *fresh = build(m_certFile, m_keyFile, &fingerprint, error);
    if (!fresh)
        return false;
    std::lock_guard lock(m_mutex);
    // Sessions made from the old context hold their own reference to it.
    SSL_CTX_free(std::exchange(m_ctx, fresh));
    m_fingerprint = fingerprint;
    return true;
}

SSL *TlsContext::newSession() const
{
    std::lock_guard lock(m_mutex);
    return SSL_new(m_ctx);
}

QString TlsContext::fingerprint() const
{
    std::lock_guard lock(m_mutex);
    return m_fingerprint;
}

TlsPump::TlsPump(qintptr netDescriptor, qintptr plainDescriptor, qintptr farDescriptor, SSL *ssl, QObject *parent)
    : QObject(parent), m_net(int(netDescriptor)), m_plain(int(plainDescriptor)), m_ssl(ssl)
{
    m_farKey = socketKey(int(farDescriptor));
    if (m_farKey)
        registry().insert(m_farKey, this);
    m_in = BIO_new(BIO_s_mem());
    m_out = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(m_in, -1); // an empty input is "want more", not end of file
    SSL_set_bio(m_ssl, m_in, m_out);
    SSL_set_accept_state(m_ssl);

    m_netRead = new QSocketNotifier(m_net, QSocketNotifier::Read, this);
    m_netWrite = new QSocketNotifier(m_net, QSocketNotifier::Write, this);
    m_plainRead = new QSocketNotifier(m_plain, QSocketNotifier::Read, this);
    m_plainWrite = new QSocketNotifier(m_plain, QSocketNotifier::Write, this);
    m_netWrite->setEnabled(false);
    m_plainWrite->setEnabled(false);
    connect(m_netRead, &QSocketNotifier::activated, this, &TlsPump::onNetReadable);
    connect(m_netWrite, &QSocketNotifier::activated, this, &TlsPump::onNetWritable);
    connect(m_plainRead, &QSocketNotifier::activated, this, &TlsPump::onPlainReadable);
    connect(m_plainWrite, &QSocketNotifier::activated, this, &TlsPump::onPlainWritable);
    m_deadline.setSingleShot(true);
    m_deadline.setInterval(kEndGraceMs);
    connect(&m_deadline, &QTimer::timeout, this, &TlsPump::finish);
    m_closeWatch.setInterval(500);
    connect(&m_closeWatch, &QTimer::timeout, this, &TlsPump::checkPlainClosed);
}

TlsPump::~TlsPump()
{
    if (m_farKey)
        registry().remove(m_farKey);
    if (m_net >= 0)
        ::close(m_net);
    if (m_plain >= 0)
        ::close(m_plain);
    SSL_free(m_ssl); // and its BIOs
}

void TlsPump::onNetReadable()
{
    if (m_finished)
        return;
    char *buffer = scratch();
    const ssize_t n = receive(m_net, buffer, kReadChunk);
    if (n < 0)
        return;
    if (n == 0) {
        netEnded();
        return;
    }
    if (m_refusedPlain || m_plainEnded) {
        // Nobody reads any more: dropped until the peer closes or the deadline, but not
        // without end (a peer that keeps sending would keep this thread decrypting).
        m_discarded += n;
        if (m_discarded > kDiscardLimit)
            finish();
        return;
    }
    if (!m_started && buffer[0] >= 'A' && buffer[0] <= 'Z') {
        // A TLS connection begins with a handshake record (0x16); this is a plain HTTP
        // request on the TLS port. Answered in plain text, as nginx does, then closed.
        refusePlain();
        return;
    }
    m_started = true;
    BIO_write(m_in, buffer, int(n));
    decrypt();
}

void TlsPump::refusePlain()
{
    m_refusedPlain = true;
    Q_EMIT handshakeFailed(QStringLiteral("plain HTTP on the TLS port"));
    static const QByteArray body = R"({"error":"tls_required","message":"this port speaks TLS only: use https:// or wss://"})";
    static const QByteArray answer = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    [[maybe_unused]] const ssize_t sent = ::send(m_net, answer.constData(), size_t(answer.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    ::shutdown(m_net, SHUT_WR);
    ::shutdown(m_plain, SHUT_WR); // the plain side hears end of file, no request
    plainEnded();
}

void TlsPump::decrypt()
{
    while (!m_finished && !m_netEnded) {
        if (!flushPlain())
            break; // the plain side is full: the network side waits (onPlainWritable)
        char *buffer = scratch();
        ERR_clear_error();
        const int n = SSL_read(m_ssl, buffer, 16 * 1024);
        if (n > 0) {
            if (m_plainEnded)
                continue; // nobody reads any more: dropped (and bounded: onNetReadable())
            const ssize_t sent = ::send(m_plain, buffer, size_t(n), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                plainEnded(); // the plain side is closed
                continue;
            }
            const qsizetype taken = sent > 0 ? qsizetype(sent) : 0;
            if (taken < n)
                m_plainOut.append(buffer + taken, n - taken);
            continue;
        }
        const int error = SSL_get_error(m_ssl, n);
        if (error == SSL_ERROR_WANT_READ)
            break;
        if (error == SSL_ERROR_ZERO_RETURN) { // close_notify
            flushNet();
            netEnded();
            return;
        }
        const QString reason = sslErrors();
        if (!SSL_is_init_finished(m_ssl)) {
            qCDebug(lcHttp) << "TLS handshake failed:" << reason;
            Q_EMIT handshakeFailed(reason);
        } else {
            qCDebug(lcHttp) << "TLS connection failed:" << reason;
        }
        flushNet(); // the alert, if any
        netEnded();
        plainEnded();
        return;
    }
    flushNet();
}

bool TlsPump::flushPlain()
{
    if (!m_plainOut.isEmpty()) {
        const ssize_t sent = ::send(m_plain, m_plainOut.constData(), size_t(m_plainOut.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            m_plainOut.clear();
            plainEnded();
            return true;
        }
        if (sent > 0)
            m_plainOut.remove(0, sent);
    }
    const bool empty = m_plainOut.isEmpty();
    if (empty && m_netEnded && !m_plainShut) {
        m_plainShut = true; // everything decrypted is out: the plain side reads end of file
        ::shutdown(m_plain, SHUT_WR);
    }
    if (empty)
        m_plainOut.clear(); // gives its memory back, not only its bytes
    m_plainWrite->setEnabled(!empty && !m_finished);
    updateNetRead();
    return empty;
}

void TlsPump::onPlainWritable()
{
    if (!m_finished && flushPlain())
        decrypt(); // records may be waiting in the input already
}

void TlsPump::onPlainReadable()
{
    if (m_finished)
        return;
    char *buffer = scratch();
    if (!SSL_is_init_finished(m_ssl)) {
        // Nothing to encrypt before the handshake (the plain side never writes first); only
        // its end matters (a handshake timeout on the plain side closes it).
        const ssize_t n = receive(m_plain, buffer, 1, MSG_PEEK);
        if (n == 0)
            plainEnded();
        else if (n > 0)
            m_plainRead->setEnabled(false); // read again once handshaken (flushNet())
        return;
    }
    if (m_netOut.size() >= kNetHigh) {
        m_plainRead->setEnabled(false); // resumes once the network takes it (onNetWritable)
        return;
    }
    const ssize_t n = receive(m_plain, buffer, kReadChunk);
    if (n < 0)
        return;
    if (n == 0) {
        plainEnded();
        return;
    }
    ERR_clear_error();
    if (SSL_write(m_ssl, buffer, int(n)) != int(n)) {
        qCDebug(lcHttp) << "TLS write failed:" << sslErrors();
        netEnded();
        plainEnded();
        return;
    }
    flushNet();
}

void TlsPump::flushNet()
{
    char *data = nullptr;
    const long pending = BIO_get_mem_data(m_out, &data);
    if (pending > 0) {
        qsizetype sent = 0;
        if (m_netBroken) {
            (void)BIO_reset(m_out);
            return;
        }
        if (m_netOut.isEmpty()) {
            const ssize_t n = ::send(m_net, data, size_t(pending), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                (void)BIO_reset(m_out);
                netBroke();
                return;
            }
            sent = n > 0 ? qsizetype(n) : 0;
            if (sent > 0)
                peerRead();
        }
        if (sent < pending)
            m_netOut.append(data + sent, pending - sent);
        (void)BIO_reset(m_out);
    }
    if (m_finished || m_netBroken)
        return;
    if (m_netOut.isEmpty())
        m_netOut.clear(); // gives its memory back after a burst
    m_netWrite->setEnabled(!m_netOut.isEmpty());
    const bool congested = m_netOut.size() >= kNetHigh;
    m_plainRead->setEnabled(!m_plainEnded && !congested);
    // While the peer does not take what waits for it, nothing more is read from it either
    // (a flood of TLS 1.3 KeyUpdate requests would otherwise queue answers without end), and
    // the plain side is watched for its close, which its read notifier cannot show now.
    updateNetRead();
    if (congested && !m_plainEnded) {
        if (!m_closeWatch.isActive())
            m_closeWatch.start();
    } else {
        m_closeWatch.stop();
    }
    if (m_netOut.isEmpty() && m_plainEnded) {
        ::shutdown(m_net, SHUT_WR); // the close_notify is out
        if (m_netEnded)
            finish(); // and the peer had ended already: nothing more either way
    }
}

void TlsPump::onNetWritable()
{
    if (m_finished)
        return;
    const ssize_t n = ::send(m_net, m_netOut.constData(), size_t(m_netOut.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        netBroke();
        return;
    }
    if (n > 0) {
        m_netOut.remove(0, n);
        peerRead();
    }
    flushNet();
}

void TlsPump::peerRead()
{
    // A peer that half-closed (its request sent, its answers still coming) keeps reading: the
    // grace counts from its last progress, not from its end of file.
    if (m_netEnded && m_deadline.isActive())
        m_deadline.start();
}

void TlsPump::updateNetRead()
{
    m_netRead->setEnabled(!m_finished && !m_netEnded && m_plainOut.isEmpty() && m_netOut.size() < kNetHigh);
}

void TlsPump::checkPlainClosed()
{
    // The plain side closed (its owner gave up: slow consumer, timeout) while the network was
    // congested: what it left unread stays unsent, and everything closes after the grace.
    pollfd watch{m_plain, POLLIN, 0};
    if (::poll(&watch, 1, 0) == 1 && (watch.revents & (POLLHUP | POLLERR)) && !m_deadline.isActive())
        m_deadline.start();
}

void TlsPump::netBroke()
{
    m_netBroken = true;
    m_netOut.clear();
    m_netWrite->setEnabled(false);
    netEnded();
    plainEnded();
}

void TlsPump::netEnded()
{
    if (m_netEnded)
        return;
    m_netEnded = true;
    m_netRead->setEnabled(false);
    // What was decrypted is still offered; the plain side reads end of file after it. Its owner
    // closes when it is done (at once, or once the answers it still has are out: a peer may
    // half-close and read on), bounded by its own timeouts; that close ends this (plainEnded()).
    if (!m_plainEnded)
        flushPlain();
    if (m_plainEnded)
        finish();
}

void TlsPump::plainEnded()
{
    if (m_plainEnded)
        return;
    m_plainEnded = true;
    m_plainRead->setEnabled(false);
    m_plainWrite->setEnabled(false);
    m_plainOut.clear();
    if (m_netEnded && (m_netBroken || m_refusedPlain)) {
        finish();
        return;
    }
    // A peer that only half-closed still gets what was encrypted for it, then the close_notify
    // (finish() once it is out; the deadline bounds a peer that stops reading).
    if (SSL_is_init_finished(m_ssl)) {
        ERR_clear_error();
        SSL_shutdown(m_ssl); // close_notify
    }
    flushNet(); // half-closes once it is out
    if (!m_finished)
        m_deadline.start();
}

void TlsPump::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    if (const quint64 key = std::exchange(m_farKey, 0))
        registry().remove(key);
    m_deadline.stop();
    m_closeWatch.stop();
    for (QSocketNotifier *notifier : {m_netRead, m_netWrite, m_plainRead, m_plainWrite})
        notifier->setEnabled(false);
    if (m_net >= 0) // handed over (release()) otherwise
        ::close(m_net);
    ::close(m_plain);
    m_net = m_plain = -1;
    deleteLater();
}

TlsHandover TlsPump::handOver(int farDescriptor)
{
    QHash<quint64, TlsPump *> &pumps = registry();
    if (pumps.isEmpty())
        return {};
    TlsPump *pump = pumps.value(socketKey(farDescriptor));
    return pump ? pump->release(farDescriptor) : TlsHandover{};
}

TlsHandover TlsPump::release(int farDescriptor)
{
    if (m_finished || m_netEnded || m_plainEnded || m_refusedPlain || !SSL_is_init_finished(m_ssl))
        return {};
    // What the far end wrote and the pump has not read yet (the 101 answer) is encrypted
    // first, behind the ciphertext already waiting: the order on the wire stays.
    char *buffer = scratch();
    for (;;) {
        const ssize_t n = receive(m_plain, buffer, kReadChunk);
        if (n <= 0)
            break;
        ERR_clear_error();
        if (SSL_write(m_ssl, buffer, int(n)) != int(n)) {
            qCDebug(lcHttp) << "TLS write failed:" << sslErrors();
            netEnded();
            plainEnded();
            return {};
        }
    }
    char *data = nullptr;
    const long pending = BIO_get_mem_data(m_out, &data);
    if (pending > 0)
        m_netOut.append(data, pending);
    (void)BIO_reset(m_out);

    TlsHandover handover;
    // Decrypted bytes the far end has not read come before those still waiting here.
    for (;;) {
        const ssize_t n = receive(farDescriptor, buffer, kReadChunk);
        if (n <= 0)
            break;
        handover.plainIn.append(buffer, n);
    }
    handover.plainIn += std::exchange(m_plainOut, {});
    handover.netOut = std::exchange(m_netOut, {});
    handover.net = std::exchange(m_net, -1);
    handover.ssl = std::exchange(m_ssl, nullptr);
    finish(); // the pump's watches are off before its new owner watches the TCP socket
    return handover;
}

} // namespace Switchboard

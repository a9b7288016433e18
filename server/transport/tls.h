#pragma once

#include <memory>
#include <mutex>

#include <QtCore/QByteArray>
#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QTimer>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;
typedef struct bio_st BIO;

namespace Switchboard {

/**
 * @brief The server's certificate and key as an OpenSSL context (TLS 1.2 and 1.3 only,
 * ECDHE with AES-GCM or ChaCha20-Poly1305), replaceable while connections use the old one.
 *
 * reload() reads the same files again (SIGHUP): a new connection gets the new context, an
 * open one keeps the context it was accepted with until it ends. Thread-safe.
 */
class TlsContext
{
public:
    /// Loads @p certFile (PEM, the chain after the leaf) and @p keyFile (PEM); null with @p error.
    static std::shared_ptr<TlsContext> load(const QString &certFile, const QString &keyFile, QString *error);
    ~TlsContext();

    /// Reads the files again; on failure the current context stays and @p error says why.
    bool reload(QString *error);
    /// A new server-side SSL object on the current context (owned by the caller).
    SSL *newSession() const;
    /// The leaf certificate's SHA-256 fingerprint, hex, of the current context (for logs).
    QString fingerprint() const;

private:
    TlsContext(QString certFile, QString keyFile) : m_certFile(std::move(certFile)), m_keyFile(std::move(keyFile)) {}
    static SSL_CTX *build(const QString &certFile, const QString &keyFile, QString *fingerprint, QString *error);

    const QString m_certFile;
    const QString m_keyFile;
    mutable std::mutex m_mutex;
    SSL_CTX *m_ctx = nullptr;       // one reference held here; each SSL holds its own
    QString m_fingerprint;
};

/// What a TlsPump hands to WsStream when a connection upgrades to WebSocket (TlsPump::handOver).
struct TlsHandover
{
    int net = -1;              // the TCP socket
    SSL *ssl = nullptr;        // the session, with its memory BIOs (null: nothing handed over)
    QByteArray netOut;         // ciphertext the kernel has not taken yet
    QByteArray plainIn;        // decrypted client bytes not read yet
};

/**
 * @brief One TLS connection, terminated in the I/O thread that accepted it: it owns the TCP
 * socket (the network side) and one end of a socketpair (the plain side), and moves bytes
 * between them, decrypting one way and encrypting the other. The other end of the pair is
 * what the HTTP front and WsStream use exactly as they use a TCP socket, so nothing above
 * the transport knows about TLS (docs/architecture.md, "TLS").
 *
 * Bounded: at most one read (64 KiB) of ciphertext and one record of plaintext wait here per
 * direction; when the plain side does not take more, the network side is not read (TCP flow
 * control), and when the network does not take more, the plain side is not read (its
 * writer's own budget applies). Ends when either side ends: a close_notify and a half-close
 * towards the peer, an end-of-file towards the plain side, and everything closed two seconds
 * later at most. Deletes itself.
 */
class TlsPump final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TlsPump)

public:
    /// Takes ownership of @p netDescriptor and @p plainDescriptor and of @p ssl;
    /// @p farDescriptor is the other end of the pair (what the HTTP front reads).
    TlsPump(qintptr netDescriptor, qintptr plainDescriptor, qintptr farDescriptor, SSL *ssl, QObject *parent);
    ~TlsPump() override;

    /**
     * When @p farDescriptor (or a duplicate of it) is the plain end of a pump of this thread
     * whose handshake is done and which is open both ways: moves everything the pump held
     * across (the TCP socket, the session, the ciphertext not yet sent, and the plaintext
     * not yet read, including what waits in @p farDescriptor) and ends the pump, so the
     * caller speaks TLS on the TCP socket itself. Otherwise nothing changes and the result
     * holds no session. Encrypts what waits in the pair for the client first (the 101).
     */
    static TlsHandover handOver(int farDescriptor);

Q_SIGNALS:
    /// The handshake failed (a client speaking plain HTTP to a TLS port, a bad version...).
    void handshakeFailed(const QString &reason);

private:
    void onNetReadable();
    void onNetWritable();
    void onPlainReadable();
    void onPlainWritable();
    /// Answers a plain HTTP request on the TLS port with 400, then waits for the peer to close.
    void refusePlain();
    /// Decrypts what the network side delivered and passes it on, while the plain side takes it.
    void decrypt();
    /// Sends what OpenSSL produced (records, alerts, handshake) to the network side.
    void flushNet();
    /// Sends decrypted bytes waiting for the plain side; false while some remain.
    bool flushPlain();
    /// The peer is done (close_notify, end of file or an error): the plain side gets end of file.
    void netEnded();
    /// Sending to the peer failed: nothing more goes either way.
    void netBroke();
    /// The plain side is done: close_notify and half-close towards the peer.
    void plainEnded();
    /// The peer took more of what waits for it: a grace that runs since its end of file restarts.
    void peerRead();
    /// Closes everything and deletes this.
    void finish();
    /// Reads from the network only while both directions have room.
    void updateNetRead();
    /// While congested: starts the deadline once the plain side has closed.
    void checkPlainClosed();
    TlsHandover release(int farDescriptor);

    int m_net = -1;
    int m_plain = -1;
    SSL *m_ssl = nullptr;
    BIO *m_in = nullptr;            // ciphertext from the network, owned by m_ssl
    BIO *m_out = nullptr;           // ciphertext for the network, owned by m_ssl
    QSocketNotifier *m_netRead = nullptr;
    QSocketNotifier *m_netWrite = nullptr;
    QSocketNotifier *m_plainRead = nullptr;
    QSocketNotifier *m_plainWrite = nullptr;
    QByteArray m_netOut;            // ciphertext the kernel did not take yet
    QByteArray m_plainOut;          // plaintext the plain side did not take yet
    bool m_started = false;         // the first bytes came and were a TLS record
    bool m_refusedPlain = false;    // they were plain HTTP: answered 400, input dropped
    bool m_netEnded = false;        // nothing more comes from the peer
    bool m_netBroken = false;       // nothing more can go to the peer
    bool m_plainEnded = false;
    bool m_plainShut = false;       // the plain side was given end of file
    bool m_finished = false;
    qint64 m_discarded = 0;         // input dropped since the plain side ended
    QTimer m_deadline;              // after either side ended
    QTimer m_closeWatch;            // while congested: has the plain side closed?
    quint64 m_farKey = 0;           // the far end's inode: this pump's key in its thread's registry
};

} // namespace Switchboard

#pragma once

#include <QtCore/QAbstractListModel>
#include <QtCore/QTimer>
#include <QtQml/qqmlregistration.h>

#include "source/sourceref.h"

#include "queue/queuemessage.h"

namespace Switchboard {

class ConsoleSource;
class Server;

/**
 * @brief One page of a queue's dead-letter list (oldest first), for the dead-letter browser.
 *
 * Reading dead letters is a SQLite query on the queue thread (or a Redis script in cluster
 * mode), never done on the GUI thread: the page is requested with
 * QueueBackend::deadLettersAsync() and applied here when it comes back.
 * While @c active the model watches the queue's dead count and dead-lettered total in the
 * stats snapshot (twice a second, no queue-thread work) and reloads the page only when one
 * of them changed. A page that arrives for a queue or offset the view no longer shows is
 * dropped.
 */
class DeadLettersModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString queue READ queue WRITE setQueue NOTIFY queueChanged)
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(int offset READ offset WRITE setOffset NOTIFY offsetChanged)
    Q_PROPERTY(int pageSize READ pageSize WRITE setPageSize NOTIFY pageSizeChanged)
    Q_PROPERTY(qint64 total READ total NOTIFY loaded)
    Q_PROPERTY(int count READ count NOTIFY loaded)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)
    Q_PROPERTY(bool hasPrevious READ hasPrevious NOTIFY loaded)
    Q_PROPERTY(bool hasNext READ hasNext NOTIFY loaded)
    Q_PROPERTY(int loads READ loads NOTIFY loaded)

public:
    enum Role {
        MessageIdRole = Qt::UserRole + 1, PayloadRole, PriorityRole, AttemptsRole, MaxAttemptsRole,
        LastErrorRole, CreatedAtRole, DeadAtRole, DeadAtShortRole, DeadAtMsRole
    };
    Q_ENUM(Role)

    explicit DeadLettersModel(QObject *parent = nullptr);
    DeadLettersModel(Server *server, QObject *parent);
    DeadLettersModel(ConsoleSource *source, QObject *parent);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    QString queue() const { return m_queue; }
    void setQueue(const QString &queue);
    bool active() const { return m_active; }
    void setActive(bool active);
    int offset() const { return m_offset; }
    void setOffset(int offset);
    int pageSize() const { return m_pageSize; }
    void setPageSize(int size);
    qint64 total() const { return m_total; }
    int count() const { return int(m_rows.size()); }
    bool loading() const { return m_loading; }
    bool hasPrevious() const { return m_offset > 0; }
    bool hasNext() const { return m_offset + m_rows.size() < m_total; }
    /// Pages applied so far (tests wait for a reload with it).
    int loads() const { return m_loads; }

    Q_INVOKABLE qint64 idAt(int row) const;
    Q_INVOKABLE int rowOfId(qint64 id) const;
    /// The payload of @p row, indented for reading.
    Q_INVOKABLE QString prettyPayload(int row) const;
    Q_INVOKABLE void nextPage();
    Q_INVOKABLE void previousPage();
    /// Requests the current page again (asynchronous; `loaded` follows).
    Q_INVOKABLE void reload();

Q_SIGNALS:
    void queueChanged();
    void activeChanged();
    void offsetChanged();
    void pageSizeChanged();
    void loadingChanged();
    void loaded();

private:
    struct Row
    {
        qint64 id = 0;
        QString payload;
        QString priority;
        int attempts = 0;
        int maxAttempts = 0;
        QString lastError;
        qint64 createdAtMs = 0;
        qint64 deadAtMs = 0;
        bool operator==(const Row &o) const;
    };
    struct Page
    {
        QList<QueueMessage> messages;
        qint64 total = 0;
    };

    void poll();
    void apply(const Page &page);
    /// A page back from the queue thread, for the request made at @p generation.
    void applyLoaded(quint64 generation, const Page &page);
    void setLoading(bool loading);

    void init();
    SourceRef m_source{static_cast<ConsoleSource *>(nullptr)};
    QTimer m_timer;
    QString m_queue;
    bool m_active = true;
    int m_offset = 0;
    int m_pageSize = 50;
    QList<Row> m_rows;
    qint64 m_total = 0;
    bool m_loading = false;
    bool m_reloadWanted = false;  // something changed while a page was on its way
    quint64 m_generation = 0;     // bumped when queue or offset change: older pages are stale
    int m_loads = 0;
    // What the shown page was loaded for, from the stats snapshot: dead count and total
    // dead-lettered. A change in either means the list changed.
    qint64 m_seenDead = -1;
    quint64 m_seenDeadLettered = 0;
};

} // namespace Switchboard

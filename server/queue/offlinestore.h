#pragma once

#include <functional>

#include <QtCore/QList>
#include <QtCore/QString>

namespace Switchboard {

/**
 * @brief Where events emitted with "persist": true for an offline user wait for that user's
 * next connection (docs/queues.md, "Offline delivery"): SqliteOfflineStore on one node
 * (switchboard.db in the data dir), RedisOfflineStore in a cluster (--redis), so that the
 * user gets them on whichever node they connect to.
 *
 * A stored event stays until a connection of the user acknowledges it. take() leases the
 * user's waiting events to one connection: another connection of the same user does not get
 * them while that lease holds. remove() deletes one on its ack; release() hands a closed
 * connection's unacknowledged ones back. Every method may be called from any thread and
 * never blocks (pendingCount() aside); callbacks run on the store's own thread.
 */
class OfflineStore
{
public:
    struct Pending
    {
        qint64 rowId = 0;
        QString frame;
    };
    struct Stored
    {
        bool ok = false;
        int dropped = 0;      // the user's oldest, deleted over the per-user bounds
        bool tooLarge = false; // refused: the event alone is over the per-user byte bound
        QString error;
    };
    /// Per user: at most this many events and bytes (UTF-8 frames) wait; the oldest are
    /// deleted to make room. An event over maxBytes alone is refused (Stored::tooLarge).
    struct Limits
    {
        int maxEvents = 1000;
        qint64 maxBytes = 8 * 1024 * 1024;
    };

    virtual ~OfflineStore() = default;

    virtual bool isOpen() const = 0;
    /// Runs or answers what was asked before and stops; nothing is stored after this.
    virtual void close() = 0;
    /// True when every node of a cluster shares the store (events stored here may be taken by
    /// a connection of another node).
    virtual bool isShared() const { return false; }

    /// Keeps @p frame for @p userId; @p done gets the outcome once durable or failed (on the
    /// calling thread, at once, when the store is not open).
    virtual void store(const QString &userId, const QString &frame, const Limits &limits,
                       std::function<void(const Stored &)> done) = 0;
    /// Connection @p connectionId of @p userId opened: the user's waiting events that no
    /// other connection holds are leased to it and handed to @p done, oldest first (never
    /// with an empty list). A shared store may call @p done again later, with events stored
    /// or released after this call, until release() for this connection.
    virtual void take(const QString &userId, quint64 connectionId,
                      std::function<void(const QList<Pending> &)> done) = 0;
    /// Deletes one acknowledged event of @p userId; @p done (optional) learns whether it was there.
    virtual void remove(const QString &userId, qint64 rowId, std::function<void(bool removed)> done = {}) = 0;
    /// Connection @p connectionId of @p userId is gone: its unacknowledged events go back,
    /// and take()'s callback for it is not called again.
    virtual void release(const QString &userId, quint64 connectionId) = 0;

    /// Blocking: tests and tools only, never from an I/O thread or the GUI thread.
    virtual int pendingCount(const QString &userId = {}) = 0;
};

} // namespace Switchboard

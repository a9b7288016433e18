#pragma once

#include <QtCore/QAbstractListModel>
#include <QtCore/QTimer>
#include <QtQml/qqmlregistration.h>

#include "source/sourceref.h"

namespace Switchboard {

class ConsoleSource;
class Server;

/**
 * @brief Rooms (or users) with their live member (or connection) counts, sorted by name.
 *
 * Polled from the registry while active, at most four times a second, and updated by
 * difference so a view keeps its selection and scroll position.
 */
class RoomsModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(Source source READ source WRITE setSource NOTIFY sourceChanged)
    Q_PROPERTY(bool active READ active WRITE setActive NOTIFY activeChanged)
    Q_PROPERTY(QString filterText READ filterText WRITE setFilterText NOTIFY filterTextChanged)
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(int totalCount READ totalCount NOTIFY countChanged)
    // A remote node in a cluster: "" its own rooms, a node's name that node's, "*" every node's
    // (each row then says its node). Why the node could not, when it could not.
    Q_PROPERTY(QString node READ node WRITE setNode NOTIFY nodeChanged)
    Q_PROPERTY(QString nodeProblem READ nodeProblem NOTIFY countChanged)

public:
    enum Source { Rooms, Users };
    Q_ENUM(Source)
    enum Role { NameRole = Qt::UserRole + 1, MembersRole, KindRole, NodeRole };
    Q_ENUM(Role)

    explicit RoomsModel(QObject *parent = nullptr);
    RoomsModel(Server *server, QObject *parent);
    RoomsModel(ConsoleSource *source, QObject *parent);
    ~RoomsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    Source source() const { return m_source; }
    void setSource(Source source);
    bool active() const { return m_active; }
    void setActive(bool active);
    QString filterText() const { return m_filter; }
    void setFilterText(const QString &text);
    int count() const { return int(m_rows.size()); }
    int totalCount() const { return m_total; }
    QString node() const { return m_node; }
    void setNode(const QString &node);
    QString nodeProblem() const { return m_nodeProblem; }

    Q_INVOKABLE QString nameAt(int row) const;
    Q_INVOKABLE int rowOf(const QString &name) const;
    Q_INVOKABLE int membersOf(const QString &name) const;
    Q_INVOKABLE void refresh();

Q_SIGNALS:
    void sourceChanged();
    void activeChanged();
    void filterTextChanged();
    void countChanged();
    void nodeChanged();

private:
    struct Row
    {
        QString name;
        int members = 0;
        QString node;
        bool operator==(const Row &o) const { return name == o.name && members == o.members && node == o.node; }
    };

    void init();
    void updateSubscription();
    // Named for what it is, since "source" is the rooms-or-users choice here.
    SourceRef m_data{static_cast<ConsoleSource *>(nullptr)};
    QTimer m_timer;
    QList<Row> m_rows;
    int m_total = 0;
    Source m_source = Rooms;
    bool m_active = true;
    QString m_filter;
    QString m_node;
    QString m_nodeProblem;
};

} // namespace Switchboard

#pragma once

#include <QtCore/QJsonValue>
#include <QtCore/QObject>
#include <QtQml/qqmlregistration.h>

namespace Switchboard {

/**
 * @brief Validates a JSON text as the user types and explains what is wrong, where.
 *
 * Any JSON value is accepted (object, array, string, number, true/false/null); an empty text
 * means "no payload" (null) when @c allowEmpty is set.
 */
class JsonCheck : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    Q_PROPERTY(QString text READ text WRITE setText NOTIFY textChanged)
    Q_PROPERTY(bool allowEmpty READ allowEmpty WRITE setAllowEmpty NOTIFY allowEmptyChanged)
    Q_PROPERTY(bool valid READ valid NOTIFY resultChanged)
    Q_PROPERTY(QString errorString READ errorString NOTIFY resultChanged)
    Q_PROPERTY(int errorLine READ errorLine NOTIFY resultChanged)
    Q_PROPERTY(int errorColumn READ errorColumn NOTIFY resultChanged)
    Q_PROPERTY(int errorOffset READ errorOffset NOTIFY resultChanged)
    Q_PROPERTY(QString kind READ kind NOTIFY resultChanged)

public:
    struct Result
    {
        bool ok = false;
        QJsonValue value;
        QString error;   // translated explanation; empty when ok
        int offset = -1; // character offset of the problem
        int line = 0;    // 1-based
        int column = 0;  // 1-based
    };

    explicit JsonCheck(QObject *parent = nullptr);

    QString text() const { return m_text; }
    void setText(const QString &text);
    bool allowEmpty() const { return m_allowEmpty; }
    void setAllowEmpty(bool allow);
    bool valid() const { return m_result.ok; }
    QString errorString() const { return m_result.error; }
    int errorLine() const { return m_result.line; }
    int errorColumn() const { return m_result.column; }
    int errorOffset() const { return m_result.offset; }
    QString kind() const;

    /// Indented form of @p text, or @p text unchanged when it does not parse.
    Q_INVOKABLE QString pretty(const QString &text) const;
    Q_INVOKABLE QString compact(const QString &text) const;

    static Result parse(const QString &text, bool allowEmpty = true);

Q_SIGNALS:
    void textChanged();
    void allowEmptyChanged();
    void resultChanged();

protected:
    /// The explanation follows a language switch.
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void validate();

    QString m_text;
    bool m_allowEmpty = true;
    Result m_result;
};

} // namespace Switchboard

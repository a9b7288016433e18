#include "jsoncheck.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QEvent>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonParseError>

namespace Switchboard {

namespace {

QString explain(QJsonParseError::ParseError error)
{
    switch (error) {
    case QJsonParseError::UnterminatedObject: return JsonCheck::tr("an object is not closed: a '}' or ',' is missing");
    case QJsonParseError::MissingNameSeparator: return JsonCheck::tr("a ':' is missing after a key");
    case QJsonParseError::UnterminatedArray: return JsonCheck::tr("an array is not closed: a ']' or ',' is missing");
    case QJsonParseError::MissingValueSeparator: return JsonCheck::tr("a ',' is missing between values");
    case QJsonParseError::IllegalValue: return JsonCheck::tr("this is not a JSON value (strings need double quotes)");
    case QJsonParseError::TerminationByNumber: return JsonCheck::tr("the text ends inside a number");
    case QJsonParseError::IllegalNumber: return JsonCheck::tr("this number is not valid JSON");
    case QJsonParseError::IllegalEscapeSequence: return JsonCheck::tr("invalid escape sequence in a string");
    case QJsonParseError::IllegalUTF8String: return JsonCheck::tr("invalid UTF-8 in a string");
    case QJsonParseError::UnterminatedString: return JsonCheck::tr("a string is not closed: a '\"' is missing");
    case QJsonParseError::MissingObject: return JsonCheck::tr("an object was expected");
    case QJsonParseError::DeepNesting: return JsonCheck::tr("the document is nested too deeply");
    case QJsonParseError::DocumentTooLarge: return JsonCheck::tr("the document is too large");
    case QJsonParseError::GarbageAtEnd: return JsonCheck::tr("unexpected text after the value (only one value is allowed)");
    case QJsonParseError::NoError: break;
    }
    return JsonCheck::tr("invalid JSON");
}

// Index of the last non-blank character before @p end, or -1.
qsizetype lastNonBlank(const QString &text, qsizetype end)
{
    for (qsizetype i = qMin(end, text.size()) - 1; i >= 0; --i) {
        if (!text.at(i).isSpace())
            return i;
    }
    return -1;
}

// Qt's parser names the construct it was reading, not the slip that broke it; the usual
// slips get a plainer explanation and point at the culprit. Returns false when none applies.
bool explainSlip(const QString &text, JsonCheck::Result *r)
{
    const qsizetype at = lastNonBlank(text, r->offset);
    if (at < 0)
        return false;
    if (text.at(at) == QLatin1Char('\'') || (r->offset < text.size() && text.at(r->offset) == QLatin1Char('\''))) {
        r->error = JsonCheck::tr("strings and keys need double quotes, not single quotes");
        if (text.at(at) == QLatin1Char('\''))
            r->offset = int(at);
        return true;
    }
    const QChar c = text.at(at);
    if (c == QLatin1Char('}') || c == QLatin1Char(']')) {
        const qsizetype before = lastNonBlank(text, at);
        if (before >= 0 && text.at(before) == QLatin1Char(',')) {
            r->error = JsonCheck::tr("remove the comma before '%1': JSON allows no trailing comma").arg(c);
            r->offset = int(before);
            return true;
        }
        if (before >= 0 && text.at(before) == QLatin1Char(':')) {
            r->error = JsonCheck::tr("a value is missing after ':'");
            r->offset = int(before);
            return true;
        }
    }
    return false;
}

} // namespace

JsonCheck::JsonCheck(QObject *parent) : QObject(parent)
{
    if (QCoreApplication::instance())
        QCoreApplication::instance()->installEventFilter(this);
    validate();
}

bool JsonCheck::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::LanguageChange && watched == QCoreApplication::instance())
        validate();
    return QObject::eventFilter(watched, event);
}

JsonCheck::Result JsonCheck::parse(const QString &text, bool allowEmpty)
{
    Result r;
    if (text.trimmed().isEmpty()) {
        r.ok = allowEmpty;
        r.value = QJsonValue::Null;
        if (!allowEmpty) {
            r.error = tr("empty: enter a JSON value, e.g. {}");
            r.offset = 0;
            r.line = 1;
            r.column = 1;
        }
        return r;
    }
    // QJsonDocument parses objects and arrays only; wrapping the text in an array accepts
    // any JSON value and keeps offsets simple (one character to subtract).
    const QByteArray utf8 = QByteArrayLiteral("[") + text.toUtf8() + QByteArrayLiteral("\n]");
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(utf8, &error);
    if (error.error == QJsonParseError::NoError && doc.array().size() == 1) {
        r.ok = true;
        r.value = doc.array().at(0);
        return r;
    }
    r.error = explain(error.error);
    // The offset is in UTF-8 bytes of the wrapped text; map it back to characters.
    const int byteOffset = qBound(0, error.offset - 1, int(utf8.size()) - 3);
    const QString before = QString::fromUtf8(text.toUtf8().left(byteOffset));
    r.offset = int(before.size());
    explainSlip(text, &r);
    const QStringView upTo = QStringView(text).left(r.offset);
    r.line = int(upTo.count(QLatin1Char('\n'))) + 1;
    r.column = int(upTo.size() - (upTo.lastIndexOf(QLatin1Char('\n')) + 1)) + 1;
    return r;
}

void JsonCheck::setText(const QString &text)
{
    if (m_text == text)
        return;
    m_text = text;
    Q_EMIT textChanged();
    validate();
}

void JsonCheck::setAllowEmpty(bool allow)
{
    if (m_allowEmpty == allow)
        return;
    m_allowEmpty = allow;
    Q_EMIT allowEmptyChanged();
    validate();
}

void JsonCheck::validate()
{
    m_result = parse(m_text, m_allowEmpty);
    Q_EMIT resultChanged();
}

QString JsonCheck::kind() const
{
    if (!m_result.ok)
        return {};
    switch (m_result.value.type()) {
    case QJsonValue::Null: return tr("null");
    case QJsonValue::Bool: return tr("boolean");
    case QJsonValue::Double: return tr("number");
    case QJsonValue::String: return tr("string");
    case QJsonValue::Array: return tr("array");
    case QJsonValue::Object: return tr("object");
    case QJsonValue::Undefined: break;
    }
    return {};
}

QString JsonCheck::pretty(const QString &text) const
{
    const Result r = parse(text, true);
    if (!r.ok || text.trimmed().isEmpty())
        return text;
    if (r.value.isObject())
        return QString::fromUtf8(QJsonDocument(r.value.toObject()).toJson(QJsonDocument::Indented)).trimmed();
    if (r.value.isArray())
        return QString::fromUtf8(QJsonDocument(r.value.toArray()).toJson(QJsonDocument::Indented)).trimmed();
    return compact(text);
}

QString JsonCheck::compact(const QString &text) const
{
    const Result r = parse(text, true);
    if (!r.ok || text.trimmed().isEmpty())
        return text;
    const QByteArray wrapped = QJsonDocument(QJsonArray{r.value}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(wrapped.mid(1, wrapped.size() - 2));
}

} // namespace Switchboard

#pragma once

#include <memory>
#include <optional>

#include <QtGui/QColor>
#include <QtCore/QList>
#include <QtCore/QString>
#include <QtCore/QUrl>

QT_BEGIN_NAMESPACE
class QSettings;
QT_END_NAMESPACE

namespace Switchboard {

/// A saved remote node (docs/console.md, "Connection profiles").
struct ConnectionProfile
{
    QString name;
    QUrl url;
    QColor colour;              // tints the banner; invalid = none
    bool production = false;    // a red "PRODUCTION" banner
    bool readOnly = false;      // every action refused in the console, whatever the role
    /// The token in plain text: only when the user chose that because there is no keychain.
    QString plainToken;

    bool operator==(const ConnectionProfile &o) const = default;
};

/**
 * @brief Connection profiles in QSettings ("profiles/<n>/..."), without their tokens, which
 * go to the OS keychain (TokenVault); a token is in the settings only when the user asked
 * for it where there is no keychain.
 */
class ProfileStore final
{
public:
    /// @p settings is not owned; the application's QSettings when null.
    explicit ProfileStore(QSettings *settings = nullptr);
    ~ProfileStore();
    Q_DISABLE_COPY_MOVE(ProfileStore)

    QList<ConnectionProfile> profiles() const;
    std::optional<ConnectionProfile> profile(const QString &name) const;
    /// Adds or replaces the profile of that name; false (and @p error) when it is not valid.
    bool save(const ConnectionProfile &profile, QString *error);
    bool remove(const QString &name);

    /// Why @p profile cannot be saved, or empty.
    static QString problem(const ConnectionProfile &profile);

private:
    void write(const QList<ConnectionProfile> &profiles);

    QSettings *m_settings = nullptr;
    std::unique_ptr<QSettings> m_own;
};

} // namespace Switchboard

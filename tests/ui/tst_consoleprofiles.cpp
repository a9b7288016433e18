// Connection profiles of the remote console: the QSettings store (a real settings file in a
// temporary directory) and the token fallback where the system has no keychain. The vault is
// the real QtKeychain-backed one; ctest runs this test with no D-Bus session, as on a server
// or a CI box, so the keychain is absent for real.
#include <QtCore/QFile>
#include <QtCore/QSettings>
#include <QtCore/QTemporaryDir>
#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include "profiles/profilesmodel.h"
#include "profiles/profilestore.h"
#include "profiles/tokenvault.h"

using namespace Switchboard;

class tst_ConsoleProfiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void storeRoundTrip();
    void storeRefusesBadProfiles_data();
    void storeRefusesBadProfiles();
    void noKeychainStoresNothingUnlessAsked();
    void noKeychainPlainTextWhenAsked();

private:
    QByteArray settingsText() const;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<QSettings> m_settings;
};

void tst_ConsoleProfiles::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_settings = std::make_unique<QSettings>(m_dir->filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
}

QByteArray tst_ConsoleProfiles::settingsText() const
{
    m_settings->sync();
    QFile file(m_dir->filePath(QStringLiteral("console.ini")));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void tst_ConsoleProfiles::storeRoundTrip()
{
    ProfileStore store(m_settings.get());
    ConnectionProfile prod{QStringLiteral("prod-eu"), QUrl(QStringLiteral("https://eu.example.net:8443")),
                           QColor(QStringLiteral("#c92a3c")), true, true, {}};
    ConnectionProfile staging{QStringLiteral("staging"), QUrl(QStringLiteral("http://10.0.0.5:8080")), QColor(), false, false, {}};
    QString error;
    QVERIFY(store.save(prod, &error));
    QVERIFY(store.save(staging, &error));
    // A second store on the same file (the next start of the console) reads them back.
    QSettings again(m_dir->filePath(QStringLiteral("console.ini")), QSettings::IniFormat);
    ProfileStore reread(&again);
    QCOMPARE(reread.profiles().size(), 2);
    QCOMPARE(*reread.profile(QStringLiteral("prod-eu")), prod);
    QCOMPARE(*reread.profile(QStringLiteral("staging")), staging);
    // Saving under an existing name replaces it.
    staging.readOnly = true;
    QVERIFY(store.save(staging, &error));
    QCOMPARE(store.profiles().size(), 2);
    QVERIFY(store.profile(QStringLiteral("staging"))->readOnly);
    QVERIFY(store.remove(QStringLiteral("prod-eu")));
    QVERIFY(!store.remove(QStringLiteral("prod-eu")));
    QCOMPARE(store.profiles().size(), 1);
    QVERIFY(!settingsText().contains("eu.example.net"));
}

void tst_ConsoleProfiles::storeRefusesBadProfiles_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("message");
    QTest::addRow("no name") << QString() << QStringLiteral("http://h:1") << QStringLiteral("Give the profile a name.");
    QTest::addRow("long name") << QString(81, QLatin1Char('n')) << QStringLiteral("http://h:1") << QStringLiteral("at most 80");
    QTest::addRow("ws scheme") << QStringLiteral("a") << QStringLiteral("ws://h:1/ws") << QStringLiteral("http://host:port");
    QTest::addRow("no host") << QStringLiteral("a") << QStringLiteral("http://") << QStringLiteral("http://host:port");
}

void tst_ConsoleProfiles::storeRefusesBadProfiles()
{
    QFETCH(QString, name);
    QFETCH(QString, url);
    QFETCH(QString, message);
    ProfileStore store(m_settings.get());
    QString error;
    QVERIFY(!store.save(ConnectionProfile{name, QUrl(url), {}, false, false, {}}, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(store.profiles().isEmpty());
}

void tst_ConsoleProfiles::noKeychainStoresNothingUnlessAsked()
{
    KeychainVault vault(QStringLiteral("switchboard-console-test"));
    ProfilesModel model(m_settings.get(), &vault);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy saved(&model, &ProfilesModel::saved);
    const QString token = QStringLiteral("sb-admin-token-should-not-be-on-disk");
    QVERIFY(model.save(QStringLiteral("lab"), QStringLiteral("http://127.0.0.1:8080"), QStringLiteral("#336699"),
                       false, false, token, false));
    QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 30000);
    QCOMPARE(saved.first().at(1).toBool(), false);
    QVERIFY2(model.keychainMissing(), qPrintable(model.message()));
    QVERIFY2(model.message().contains(QStringLiteral("No keychain")), qPrintable(model.message()));
    QCOMPARE(model.count(), 1); // the profile, without its token
    QVERIFY(!settingsText().contains(token.toUtf8()));
    // Connecting asks for the token rather than attaching without one.
    QSignalSpy connectRequested(&model, &ProfilesModel::connectRequested);
    model.connectProfile(QStringLiteral("lab"));
    QTRY_VERIFY_WITH_TIMEOUT(model.message().contains(QStringLiteral("enter it")), 30000);
    QCOMPARE(connectRequested.size(), 0);
    // A token typed in the dialog goes straight to the connection.
    model.connectProfile(QStringLiteral("lab"), token);
    QCOMPARE(connectRequested.size(), 1);
    QCOMPARE(connectRequested.first().at(1).toString(), token);
}

void tst_ConsoleProfiles::noKeychainPlainTextWhenAsked()
{
    KeychainVault vault(QStringLiteral("switchboard-console-test"));
    ProfilesModel model(m_settings.get(), &vault);
    QSignalSpy saved(&model, &ProfilesModel::saved);
    const QString token = QStringLiteral("sb-admin-token-plain-by-choice");
    QVERIFY(model.save(QStringLiteral("lab"), QStringLiteral("http://127.0.0.1:8080"), QString(), true, true, token, true));
    QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 1, 30000);
    QCOMPARE(saved.first().at(1).toBool(), true);
    QVERIFY2(model.message().contains(QStringLiteral("plain text")), qPrintable(model.message()));
    QVERIFY(settingsText().contains(token.toUtf8()));
    QCOMPARE(model.data(model.index(0), ProfilesModel::PlainTokenRole).toBool(), true);
    QCOMPARE(model.data(model.index(0), ProfilesModel::ProductionRole).toBool(), true);
    QCOMPARE(model.data(model.index(0), ProfilesModel::ReadOnlyRole).toBool(), true);
    // The saved token is used without asking; removing the profile removes it from the file.
    QSignalSpy connectRequested(&model, &ProfilesModel::connectRequested);
    model.connectProfile(QStringLiteral("lab"));
    QCOMPARE(connectRequested.size(), 1);
    QCOMPARE(connectRequested.first().at(1).toString(), token);
    QVERIFY(connectRequested.first().at(0).value<ConnectionProfile>().readOnly);
    QVERIFY(model.remove(QStringLiteral("lab")));
    QVERIFY(!settingsText().contains(token.toUtf8()));
}

QTEST_MAIN(tst_ConsoleProfiles)
#include "tst_consoleprofiles.moc"

// Qt Quick Test runner for the console components: the same module, style and import path
// as the console itself (ConsoleApp), so the components are tested as operators see them.
#include <QtCore/QObject>
#include <QtQml/QQmlEngine>
#include <QtQuickControls2/QQuickStyle>
#include <QtQuickTest/quicktest.h>

class Setup : public QObject
{
    Q_OBJECT

public:
    Setup() { QQuickStyle::setStyle(QStringLiteral("Fusion")); }

public slots:
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        // Qt 6.4 puts the static module's qmldir at qrc:/Switchboard/Console/.
        engine->addImportPath(QStringLiteral("qrc:/"));
    }
};

QUICK_TEST_MAIN_WITH_SETUP(qmlcomponents, Setup)

#include "main.moc"

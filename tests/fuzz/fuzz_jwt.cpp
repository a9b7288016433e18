// libFuzzer target: JWT parse and verify (HS256), on the raw input and, when the input is a
// JSON object, on a token correctly signed over it (so claim checks are reached too).
#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include "auth/jwt.h"

using namespace Switchboard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const QByteArray secret = QByteArrayLiteral("fuzz-secret-fuzz-secret-fuzz-secret!");
    static const QDateTime now = QDateTime::fromSecsSinceEpoch(1800000000, Qt::UTC);
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    Jwt::verify(input, secret, 30, now);
    const QJsonDocument claims = QJsonDocument::fromJson(input);
    if (claims.isObject()) {
        const Jwt::Result signedResult = Jwt::verify(Jwt::sign(claims.object(), secret), secret, 30, now);
        // A correct signature never fails as a bad signature.
        if (signedResult.error == Jwt::Error::BadSignature)
            __builtin_trap();
    }
    return 0;
}

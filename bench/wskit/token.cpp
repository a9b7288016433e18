#include "token.h"

#include <ctime>

#include <QtCore/QByteArray>
#include <QtCore/QMessageAuthenticationCode>

namespace Switchboard::Bench {

namespace {

constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QByteArray hs256(QByteArrayView data, std::string_view secret)
{
    return QMessageAuthenticationCode::hash(data.toByteArray(),
                                            QByteArray(secret.data(), qsizetype(secret.size())),
                                            QCryptographicHash::Sha256);
}

} // namespace

std::string mintToken(std::string_view subject, std::string_view secret, std::int64_t ttlSeconds)
{
    const std::int64_t now = std::int64_t(std::time(nullptr));
    std::string claims = "{\"sub\":\"";
    claims.append(subject).append("\",\"iat\":").append(std::to_string(now));
    claims.append(",\"exp\":").append(std::to_string(now + ttlSeconds)).append("}");
    QByteArray signingInput = QByteArray("{\"alg\":\"HS256\",\"typ\":\"JWT\"}").toBase64(kBase64Url);
    signingInput += '.';
    signingInput += QByteArray(claims.data(), qsizetype(claims.size())).toBase64(kBase64Url);
    const QByteArray signature = hs256(signingInput, secret).toBase64(kBase64Url);
    return (signingInput + '.' + signature).toStdString();
}

bool verifyTokenSignature(std::string_view token, std::string_view secret)
{
    const std::size_t lastDot = token.rfind('.');
    if (lastDot == std::string_view::npos || token.find('.') == lastDot)
        return false;
    const QByteArray expected = hs256(QByteArrayView(token.data(), qsizetype(lastDot)), secret).toBase64(kBase64Url);
    const std::string_view given = token.substr(lastDot + 1);
    if (given.size() != std::size_t(expected.size()))
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < given.size(); ++i)
        diff |= std::uint8_t(given[i]) ^ std::uint8_t(expected[qsizetype(i)]);
    return diff == 0;
}

} // namespace Switchboard::Bench

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace Switchboard::Bench {

/// An HS256 JWT {"sub":@p subject,"iat":now,"exp":now+@p ttlSeconds} signed with @p secret.
std::string mintToken(std::string_view subject, std::string_view secret, std::int64_t ttlSeconds = 3600);

/// True when @p token is a three-part JWT whose HS256 signature matches @p secret. Claims
/// (exp, nbf) are not checked: the raw peer only needs to pay for the signature.
bool verifyTokenSignature(std::string_view token, std::string_view secret);

} // namespace Switchboard::Bench

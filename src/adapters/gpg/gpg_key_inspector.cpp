#include "adapters/gpg/gpg_key_inspector.hpp"

#include "adapters/gpg/gpg_keys.hpp"

namespace bk::adapters::gpg {

Task<Result<domain::KeyStatus>> GpgKeyInspector::inspect(std::string public_key_file) {
    auto k = co_await inspect_public_key(ex_, std::move(public_key_file));
    if (!k)
        co_return k.error();
    domain::KeyStatus s;
    s.fingerprint = k->fingerprint;
    s.can_encrypt = k->can_encrypt;
    s.expired = k->expired;
    s.revoked = k->revoked;
    s.expires = k->expires;
    co_return s;
}

}  // namespace bk::adapters::gpg

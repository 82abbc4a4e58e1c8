#include "adapters/gpg/gpg_key_inspector.hpp"

#include "adapters/gpg/gpg_keys.hpp"

namespace bk::adapters::gpg {

Task<Result<domain::KeyStatus>> GpgKeyInspector::inspect(std::string public_key_file) {
    co_return co_await inspect_public_key(ex_, std::move(public_key_file));
}

}  // namespace bk::adapters::gpg

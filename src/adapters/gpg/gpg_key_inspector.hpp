#pragma once
// Public key files as gpg reads them (see gpg_keys.hpp), behind the checks' port.

#include <boost/asio/any_io_executor.hpp>

#include "domain/ports/checks.hpp"

namespace bk::adapters::gpg {

class GpgKeyInspector final : public domain::KeyInspector {
public:
    explicit GpgKeyInspector(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}
    Task<Result<domain::KeyStatus>> inspect(std::string public_key_file) override;

private:
    boost::asio::any_io_executor ex_;
};

}  // namespace bk::adapters::gpg

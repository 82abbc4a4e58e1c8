#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "domain/ports/restore_ports.hpp"

namespace bk::adapters::process {

/// domain::LocalFiles with `tar -x` (GNU tar of the operator's host or image).
class TarLocalFiles final : public domain::LocalFiles {
public:
    explicit TarLocalFiles(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}
    Task<Result<std::unique_ptr<domain::RestoreLoad>>> open_extract(std::string directory) override;

private:
    boost::asio::any_io_executor ex_;
};

}  // namespace bk::adapters::process

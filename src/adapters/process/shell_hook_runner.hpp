#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "domain/ports/backup_ports.hpp"

namespace bk::adapters::process {

/// domain::HookRunner for config projects: the hook's argv (/bin/sh -c "<the project's line>", as
/// the original backupctl ran it) with a minimal environment (kChildBaseVariables, the proxy
/// variables, and the operator variables the project names in hooks.env), descriptors 0-2 only,
/// in a process group of its own that is killed whole when target.hook_timeout passes.
class ShellHookRunner final : public domain::HookRunner {
public:
    explicit ShellHookRunner(boost::asio::any_io_executor ex) : ex_(std::move(ex)) {}

    Task<domain::HookOutcome> run(const domain::Target& target,
                                  std::vector<std::string> argv) override;

private:
    boost::asio::any_io_executor ex_;
};

}  // namespace bk::adapters::process

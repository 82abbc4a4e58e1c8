#pragma once

#include <vector>

#include "core/task.hpp"
#include "domain/discovery.hpp"
#include "domain/operator_config.hpp"

namespace bk::domain {

/// Port: the containers that ask to be backed up, read from wherever they run.
/// Real adapter: adapters::docker::DockerTargetSource. Test double: testing::FakeTargetSource.
class TargetSource {
public:
    virtual ~TargetSource() = default;

    /// Every container carrying backupctl labels (or labels that look like mistyped ones),
    /// parsed against `config`; `config` must outlive the call. One list call, and one inspect
    /// per stopped target (since when it is stopped: DiscoveredContainer::stopped_since).
    /// Errors: daemon_unavailable, timeout, cancelled. Not for concurrent use.
    virtual Task<Result<std::vector<DiscoveredContainer>>> discover(
        const OperatorConfig& config) = 0;
};

}  // namespace bk::domain

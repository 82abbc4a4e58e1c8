#pragma once
// Ports crash recovery needs: which operator lifetimes are alive, what a dead one left in the
// engine, and a feed of container changes for the daemon.

#include <functional>
#include <string>
#include <vector>

#include "core/task.hpp"

namespace bk::domain {

/// Every process start of backupctl is an instance (an id recorded with its runs). An instance
/// is alive while its process holds its instance lock (the kernel drops it when it dies).
class InstanceRegistry {
public:
    virtual ~InstanceRegistry() = default;
    [[nodiscard]] virtual const std::string& self() const = 0;
    virtual bool alive(const std::string& instance) = 0;
    /// Instances with a lock file that nobody holds any more.
    virtual std::vector<std::string> dead() = 0;
    /// Forgets a dead instance (its lock file); a live one is left alone.
    virtual void forget(const std::string& instance) = 0;
};

/// A container or network of ours (labelled backupctl.ephemeral) as the engine lists it.
struct Leftover {
    std::string container_id;  ///< or the network's id
    std::string name;
    std::string instance;
    std::string run_id;
    bool network{false};  ///< a restore drill's network (listed after every container)
};

/// Port: finds and removes what an instance left in the engine.
class Janitor {
public:
    virtual ~Janitor() = default;
    virtual Task<Result<std::vector<Leftover>>> leftovers() = 0;
    virtual Task<Result<void>> remove(Leftover leftover) = 0;
    /// Starts a container that is not running; true when it was started.
    virtual Task<Result<bool>> start_if_stopped(std::string container_id) = 0;
    /// Takes `container` (the operator's own) off `network`; gone already is fine.
    virtual Task<Result<void>> leave_network(std::string network, std::string container) = 0;
};

/// A change of an app container, as the engine reports it.
struct ContainerChange {
    std::string action;  ///< create | start | die | stop | destroy | rename | ...
    std::string container_id;
    std::string name;
    int exit_code{-1};  ///< on die
};

/// Port: follows the engine's container changes until stop(). `on_resync` is called after every
/// (re)subscription and while the stream is down: the caller lists again (level-triggered).
/// Neither callback may block.
class ChangeFeed {
public:
    virtual ~ChangeFeed() = default;
    virtual Task<void> follow(std::function<void(const ContainerChange&)> on_change,
                              std::function<void()> on_resync) = 0;
    virtual void stop() = 0;
    /// Whether the stream is up now (for metrics).
    [[nodiscard]] virtual bool connected() const { return false; }
};

}  // namespace bk::domain

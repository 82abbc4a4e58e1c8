#pragma once

#include <string>

#include "domain/ports/recovery.hpp"

namespace bk::adapters::lock {

/// domain::InstanceRegistry with one file per instance in `<state_dir>/instances/<id>.lock`,
/// held with flock for the life of the process (pid and start time inside, for humans).
///
/// Instance ids are `<operator>-<random>`: the operator part is the id of the state directory
/// (see operator_id()). Another operator on the same engine has a state directory of its own, so
/// its instances have no lock file here: they count as alive (never ours to judge), and their
/// dump containers are left alone. An id without an operator part (before this format) is judged
/// by its lock file as before.
class FileInstanceRegistry final : public domain::InstanceRegistry {
public:
    FileInstanceRegistry(std::string dir, std::string self);
    ~FileInstanceRegistry() override;
    FileInstanceRegistry(const FileInstanceRegistry&) = delete;
    FileInstanceRegistry& operator=(const FileInstanceRegistry&) = delete;

    [[nodiscard]] const std::string& self() const override { return self_; }
    bool alive(const std::string& instance) override;
    std::vector<std::string> dead() override;
    void forget(const std::string& instance) override;

private:
    [[nodiscard]] std::string path_of(const std::string& instance) const;
    /// Whether `instance` belongs to another operator (another state directory).
    [[nodiscard]] bool foreign(const std::string& instance) const;
    std::string dir_;
    std::string self_;
    int fd_{-1};
};

/// The id of the operator whose state is in `state_dir`: 8 hex digits kept in
/// `<state_dir>/operator-id`, made at the first start. Empty when it cannot be read or made.
std::string operator_id(const std::string& state_dir);

/// A new instance id of that operator: `<operator>-<16 hex>` (`<16 hex>` when it has no id).
/// Throws std::runtime_error when the kernel gives no random bytes (a start-up error).
std::string new_instance_id(const std::string& state_dir);

}  // namespace bk::adapters::lock

#pragma once

#include <string>

#include "domain/ports/recovery.hpp"

namespace bk::adapters::lock {

/// domain::InstanceRegistry with one file per instance in `<state_dir>/instances/<id>.lock`,
/// held with flock for the life of the process (pid and start time inside, for humans).
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
    std::string dir_;
    std::string self_;
    int fd_{-1};
};

}  // namespace bk::adapters::lock

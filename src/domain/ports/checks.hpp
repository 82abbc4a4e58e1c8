#pragma once
// Ports of the operator's checks (`health`, `run --dry-run`): the engine, the operator's own
// machine and the public keys, each as far as a check needs it.

#include <cstdint>
#include <string>

#include "core/task.hpp"

namespace bk::domain {

/// The engine's versions, as `backupctl engine` shows them.
struct EngineInfo {
    std::string version;  ///< the server's ("24.0.5")
    std::string os;
    std::string arch;
    std::string api_version;         ///< the one spoken (negotiated)
    std::string daemon_api_version;  ///< the daemon's newest
    std::string min_api_version;
};

/// The container engine, read only.
class EngineProbe {
public:
    virtual ~EngineProbe() = default;
    /// Where the engine is, for humans ("unix:///var/run/docker.sock").
    [[nodiscard]] virtual std::string address() const = 0;
    /// Errors: daemon_unavailable, timeout, ... (the engine does not answer).
    virtual Task<Result<void>> ping() = 0;
    /// The versions (negotiates the API version first).
    virtual Task<Result<EngineInfo>> info() = 0;
    /// Whether the container runs. Errors: not_found (no such container), engine errors.
    virtual Task<Result<bool>> container_running(std::string id) = 0;
    /// Errors: not_found (the image is not on the engine), engine errors.
    virtual Task<Result<void>> image_present(std::string image) = 0;
};

/// The machine the operator runs on.
class HostProbe {
public:
    virtual ~HostProbe() = default;
    /// Bytes an unprivileged writer may still use on the file system holding `path`.
    /// Errors: io_error (it cannot be statted).
    virtual Result<std::uint64_t> free_bytes(const std::string& path) = 0;
    virtual bool exists(const std::string& path) = 0;
    virtual bool writable(const std::string& path) = 0;
    /// Unix time now.
    virtual std::int64_t now() = 0;
};

/// What gpg says about a public key file.
struct KeyStatus {
    std::string fingerprint;
    bool can_encrypt{false};
    bool expired{false};
    bool revoked{false};
    std::int64_t expires{0};  ///< Unix time; 0 = never
};

class KeyInspector {
public:
    virtual ~KeyInspector() = default;
    /// Errors: not_found (no such file), invalid_config (not a key gpg can read).
    virtual Task<Result<KeyStatus>> inspect(std::string public_key_file) = 0;
};

}  // namespace bk::domain

#pragma once
// gpg beside restic: a temporary home for each use, and gpg spawned with the program it feeds or
// reads from, connected by a pipe the operator never copies.

#include <boost/asio/any_io_executor.hpp>

#include <optional>
#include <string>

#include "adapters/process/child_process.hpp"
#include "core/task.hpp"

namespace bk::adapters::gpg {

/// A temporary gpg home (mkdtemp: mode 0700). Destroying it stops the home's agent when one
/// started (it daemonizes away from gpg; process::reap_orphans reaps it) and removes the
/// directory with the keys imported into it.
class GpgHome {
public:
    /// A new home `<prefix>XXXXXX` (the folder `prefix` names is made when missing), e.g.
    /// "/tmp/bk-gpg-". Errors: io_error.
    static Result<GpgHome> create(const std::string& prefix);

    GpgHome() = default;
    GpgHome(GpgHome&& other) noexcept;
    GpgHome& operator=(GpgHome&& other) noexcept;
    GpgHome(const GpgHome&) = delete;
    GpgHome& operator=(const GpgHome&) = delete;
    ~GpgHome();

    [[nodiscard]] const std::string& path() const { return path_; }
    /// Stops its agent and removes it now (nothing when empty).
    void remove();

private:
    explicit GpgHome(std::string path) : path_(std::move(path)) {}
    std::string path_;
};

/// A program and, when the data is encrypted, gpg on the other end of its pipe. Member order is
/// destruction order reversed: the children are killed and reaped before the home goes.
struct GpgPipeline {
    GpgHome home;                              ///< empty without gpg
    process::ChildProcess other;               ///< the program gpg feeds or reads from
    std::optional<process::ChildProcess> gpg;  ///< none: no key, `other` alone
};

/// `consumer`, fed by `gpg --encrypt` to the key in `recipient_file` through a pipe (the operator
/// writes gpg's stdin; the home is a fresh one under /tmp); with no `recipient_file`, `consumer`
/// alone. Errors: io_error and the spawns' errors.
Result<GpgPipeline> spawn_encrypting(boost::asio::any_io_executor ex,
                                     process::SpawnOptions consumer,
                                     const std::string& recipient_file);

/// `producer`, its stdout piped into `gpg --decrypt` with `private_key_file` (and its passphrase,
/// when `passphrase_file` is set) imported into a fresh home `<home_prefix>XXXXXX` (the operator
/// reads gpg's stdout); with no `private_key_file`, `producer` alone. Errors: encrypt_failed (the
/// key cannot be imported), io_error, and the spawns' errors.
Task<Result<GpgPipeline>> spawn_decrypting(boost::asio::any_io_executor ex,
                                           process::SpawnOptions producer,
                                           std::string home_prefix,
                                           std::string private_key_file,
                                           std::string passphrase_file);

}  // namespace bk::adapters::gpg

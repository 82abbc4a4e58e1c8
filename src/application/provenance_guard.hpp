#pragma once
// The provenance check before anything uses a target's snapshots: a backup (whose retention would
// forget them), a restore or a drill (which would hand them to the container). The first sight of
// a target is recorded; a change is held until `backupctl adopt <target>`.

#include <string>
#include <vector>

#include "domain/ports/bookkeeping.hpp"
#include "domain/provenance.hpp"

namespace bk::app {

struct ProvenanceVerdict {
    enum class Kind {
        trusted,      ///< as recorded
        first_sight,  ///< recorded now
        changed,      ///< differs from the record: held
        unverified,   ///< the audit store could not be read: runs go on, retention waits
    };
    Kind kind{Kind::trusted};
    domain::Provenance known;  ///< the record (trusted, changed)
    domain::Provenance now;    ///< what the target shows now
    std::vector<std::string> changes;
    std::string error;  ///< unverified: why

    [[nodiscard]] bool held() const { return kind == Kind::changed; }
    /// For an audit step and humans: "as recorded at 2026-...", "first sight: ...", ...
    [[nodiscard]] std::string summary() const;
    /// Why a held target does not run or restore, and what to do.
    [[nodiscard]] std::string held_message() const;
};

/// Compares `target` with its record; records it at first sight (when `record` is set).
ProvenanceVerdict check_provenance(domain::AuditLog& audit,
                                   const domain::Target& target,
                                   bool record = true);

/// Accepts what `target` shows now as its provenance (the operator's `adopt`).
Result<domain::Provenance> adopt_provenance(domain::AuditLog& audit,
                                            const domain::Target& target,
                                            const std::string& who);

}  // namespace bk::app

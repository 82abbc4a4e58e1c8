#include "application/provenance_guard.hpp"

#include "application/backup_runner.hpp"
#include "domain/utc_time.hpp"

namespace bk::app {

std::string ProvenanceVerdict::summary() const {
    switch (kind) {
        case Kind::trusted:
            return "as recorded (" + describe(known) + "; " + known.confirmed_by + ", " +
                   known.confirmed_at + ")";
        case Kind::first_sight:
            return "first sight, recorded: " + describe(now);
        case Kind::changed:
            return held_message();
        case Kind::unverified:
            return "not checked (" + error + "); retention waits until it can be";
    }
    return {};
}

std::string ProvenanceVerdict::held_message() const {
    std::string what;
    for (const auto& c : changes)
        what += (what.empty() ? "" : ", ") + c;
    return "held: " + now.target + " is not what it was (" + what + "); recorded " +
           describe(known) + " (" + known.confirmed_by + ", " + known.confirmed_at + "), now " +
           describe(now) +
           ". Its snapshots are neither forgotten nor restored for it until the operator runs "
           "`backupctl adopt " +
           now.target + "` (if the change is theirs)";
}

ProvenanceVerdict check_provenance(domain::AuditLog& audit,
                                   const domain::Target& target,
                                   bool record) {
    ProvenanceVerdict v;
    v.now = domain::provenance_of(target);
    auto known = audit.provenance(target.name);
    if (!known) {
        v.kind = ProvenanceVerdict::Kind::unverified;
        v.error = "audit store: " + known.error().message;
        return v;
    }
    if (!*known) {
        v.kind = ProvenanceVerdict::Kind::first_sight;
        if (record) {
            v.now.first_seen = domain::utc_now();
            v.now.confirmed_at = v.now.first_seen;
            v.now.confirmed_by = "first sight";
            if (auto r = audit.record_provenance(v.now); !r) {
                v.kind = ProvenanceVerdict::Kind::unverified;
                v.error = "audit store: " + r.error().message;
            }
        }
        return v;
    }
    v.known = **known;
    v.changes = domain::provenance_changes(v.known, v.now);
    v.kind =
        v.changes.empty() ? ProvenanceVerdict::Kind::trusted : ProvenanceVerdict::Kind::changed;
    return v;
}

Result<domain::Provenance> adopt_provenance(domain::AuditLog& audit,
                                            const domain::Target& target,
                                            const std::string& who) {
    auto p = domain::provenance_of(target);
    auto known = audit.provenance(target.name);
    if (!known)
        return known.error();
    p.confirmed_at = domain::utc_now();
    p.first_seen = *known ? (*known)->first_seen : p.confirmed_at;
    p.confirmed_by = "adopt (" + who + ")";
    auto r = audit.record_provenance(p);
    if (!r)
        return r.error();
    return p;
}

}  // namespace bk::app

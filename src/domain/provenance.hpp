#pragma once
// Where a target comes from: the facts of its first sight (labels or config; the compose project
// and service; the image's repository; the database kind). Labels are untrusted: a container that
// claims another app's name (its compose labels or backupctl.name) must not inherit that app's
// snapshots, retention or restores. A target whose provenance differs from the recorded one is
// held until the operator confirms the change (`backupctl adopt`), as ssh does with host keys.

#include <string>
#include <string_view>
#include <vector>

#include "domain/target.hpp"

namespace bk::domain {

struct Provenance {
    std::string target;
    std::string origin;           ///< labels | config
    std::string compose_project;  ///< labels
    std::string compose_service;  ///< labels
    std::string image;            ///< the image's repository ("postgres"); empty: listed by id
    std::string db_type;          ///< empty: no database
    std::string first_seen;       ///< ISO 8601 UTC
    std::string confirmed_at;     ///< first sight, or the last `adopt`
    std::string confirmed_by;     ///< "first sight" | "adopt (<who>)"
};

/// The provenance `target` shows now (times empty).
Provenance provenance_of(const Target& target);
/// "labels: compose project shop, service db, image postgres, postgres".
std::string describe(const Provenance& p);
/// How `now` differs from `known` ("compose project shop -> evil", ...); empty when it does not.
/// A config project is the operator's own: only a change of origin counts. An image listed by
/// id (its tag moved since the container was made) matches any.
std::vector<std::string> provenance_changes(const Provenance& known, const Provenance& now);
/// "registry:5000/team/postgres:15@sha256:..." -> "registry:5000/team/postgres";
/// "docker.io/library/postgres" -> "postgres"; an image id ("sha256:...", hex) -> "".
std::string image_repository(std::string_view image);

}  // namespace bk::domain

#pragma once
// Targets as discovery lists them, for the fakes' tests.

#include <string>

#include "domain/discovery.hpp"
#include "support/kinds.hpp"

namespace bk::testing {

/// `c` as discovery lists a container that exited at `since` (docker stop, compose stop).
inline domain::DiscoveredContainer stopped(domain::DiscoveredContainer c,
                                           const std::string& since = "2026-11-20T10:00:00Z") {
    c.state = "exited";
    c.stopped_since = since;
    return c;
}

/// A labelled container that is a valid target of `name` with a database.
inline domain::DiscoveredContainer labelled_target(const std::string& name,
                                                   const std::string& repository = "main") {
    domain::DiscoveredContainer c;
    c.container_id = "id-" + name;
    c.container_name = name;
    c.state = "running";
    c.disposition = domain::Disposition::target;
    domain::Target t;
    t.name = name;
    t.container_id = c.container_id;
    t.container_name = name;
    t.compose_project = name;
    t.compose_service = "db";
    t.image = "postgres:15";
    t.database = bk::testing::database();
    t.repository = repository;
    t.encrypt = "none";
    c.target = t;
    return c;
}

}  // namespace bk::testing

#pragma once
// The database kinds of this build, as bootstrap registers them, for tests that build targets
// and configs by hand.

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "bootstrap/database_kinds.hpp"
#include "domain/target.hpp"

namespace bk::testing {

inline std::shared_ptr<const domain::DatabaseKinds> database_kinds() {
    return bootstrap::database_kinds();
}

inline std::shared_ptr<const domain::DatabaseKind> kind(std::string_view name) {
    auto k = database_kinds()->find(name);
    if (!k)
        throw std::logic_error("no database kind " + std::string(name) + " in this build");
    return k;
}

/// A database of kind `name`, everything else default.
inline domain::DatabaseSpec database(std::string_view name = "postgres") {
    domain::DatabaseSpec db;
    db.kind = kind(name);
    return db;
}

}  // namespace bk::testing

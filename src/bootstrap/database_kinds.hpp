#pragma once
// The database kinds of this build: one line each in database_kinds.cpp.

#include <memory>

#include "domain/database_kind.hpp"

namespace bk::databases {
class Registry;
}

namespace bk::bootstrap {

/// Every kind with its engine, in the order that decides image inference.
const databases::Registry& database_registry();
/// Their pure parts (labels, config, docs).
std::shared_ptr<const domain::DatabaseKinds> database_kinds();

}  // namespace bk::bootstrap

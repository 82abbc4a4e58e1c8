#pragma once
// MongoDB: mongodump --archive and mongorestore of the server's own image (mongo-tools >= 100.3
// read the password from a --config file). Snapshots are archives checked whole; drills load
// them but count nothing (counting documents needs mongosh, which this version does not use).

#include <memory>
#include <string>

#include "databases/engine.hpp"

namespace bk::databases::mongodb {

std::shared_ptr<const domain::DatabaseKind> kind();
std::shared_ptr<const Engine> engine();

/// A YAML double-quoted scalar (mongodump's --config file).
std::string yaml_quote(const std::string& s);

}  // namespace bk::databases::mongodb

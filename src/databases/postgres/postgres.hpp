#pragma once
// PostgreSQL (and PostGIS, TimescaleDB): pg_dump / pg_dumpall and psql of the server's own
// image, plain SQL snapshots checked by pg_dump's completion marker.

#include <memory>
#include <string>

#include "databases/engine.hpp"

namespace bk::databases::postgres {

std::shared_ptr<const domain::DatabaseKind> kind();
std::shared_ptr<const Engine> engine();

/// The value of pg_dump's and psql's -d for a database name: the name, or when libpq would read
/// it as a conninfo (it holds '=', or starts with postgres: or postgresql:) `dbname='<name>'`,
/// a conninfo that holds only the name: it cannot name a host, user or option.
std::string database_arg(const std::string& database);
/// A password as a field of a .pgpass line (':' and '\' escaped).
std::string pgpass_escape(const std::string& s);

}  // namespace bk::databases::postgres

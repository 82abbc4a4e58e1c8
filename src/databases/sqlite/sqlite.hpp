#pragma once
// SQLite: database files in the target's named volumes, copied consistently while the app keeps
// writing (sqlite3's .backup inside one read transaction, WAL and rollback journals alike) by a
// helper container of the image the operator names (defaults.client_images.sqlite, never a
// label), with no network and only the volume that holds the file. The snapshot is the database
// file itself, checked against its own header (SqliteCheck); row counts are taken on the copy.

#include <memory>

#include "databases/engine.hpp"

namespace bk::databases::sqlite {

std::shared_ptr<const domain::DatabaseKind> kind();
std::shared_ptr<const Engine> engine();

}  // namespace bk::databases::sqlite

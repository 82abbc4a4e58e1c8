#pragma once
// MySQL (and Percona) and MariaDB: mysqldump / mariadb-dump and the mysql / mariadb client of
// the server's own image, SQL snapshots checked by the dump's completion marker. Two kinds, one
// recipe: they differ in their programs' names and their images' variables.

#include <memory>
#include <string>

#include "databases/engine.hpp"

namespace bk::databases::mysql {

std::shared_ptr<const domain::DatabaseKind> mysql_kind();
std::shared_ptr<const Engine> mysql_engine();
std::shared_ptr<const domain::DatabaseKind> mariadb_kind();
std::shared_ptr<const Engine> mariadb_engine();

/// A value for a double-quoted MySQL option-file value: quotes and backslashes escaped, line
/// breaks and tabs written as \n \r \t (a raw line break would start a line of its own).
std::string cnf_escape(const std::string& s);

}  // namespace bk::databases::mysql

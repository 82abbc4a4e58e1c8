#include "bootstrap/database_kinds.hpp"

#include "databases/engine.hpp"
#include "databases/mongodb/mongodb.hpp"
#include "databases/mysql/mysql.hpp"
#include "databases/postgres/postgres.hpp"
#include "databases/redis/redis.hpp"
#include "databases/sqlite/sqlite.hpp"

namespace bk::bootstrap {
namespace {

databases::Registry make_registry() {
    databases::Registry r;
    r.add(databases::postgres::kind(), databases::postgres::engine());
    r.add(databases::mysql::mysql_kind(), databases::mysql::mysql_engine());
    r.add(databases::mysql::mariadb_kind(), databases::mysql::mariadb_engine());
    r.add(databases::mongodb::kind(), databases::mongodb::engine());
    r.add(databases::sqlite::kind(), databases::sqlite::engine());
    r.add(databases::redis::kind(), databases::redis::engine());
    return r;
}

}  // namespace

const databases::Registry& database_registry() {
    // Built once on first use and never changed: immutable, so sharing it is safe.
    static const databases::Registry registry = make_registry();
    return registry;
}

std::shared_ptr<const domain::DatabaseKinds> database_kinds() {
    static const auto kinds = database_registry().shared_kinds();
    return kinds;
}

}  // namespace bk::bootstrap

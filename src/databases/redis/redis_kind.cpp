#include "databases/redis/redis_kind.hpp"

#include "databases/redis/rdb_check.hpp"

namespace bk::databases::redis {

bool RedisKind::matches_image(std::string_view repository) const {
    return repository == kName;
}

std::string RedisKind::file_name(const std::string& target, const std::string& /*database*/) const {
    return target + "/all.rdb";
}

std::unique_ptr<domain::DumpCheck> RedisKind::check(bool /*all_databases*/) const {
    return std::make_unique<RdbCheck>();
}

}  // namespace bk::databases::redis

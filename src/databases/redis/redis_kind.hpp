#pragma once
// The Redis kind, its pure part: `redis-cli --rdb -` in a container of the server's own image
// streams an RDB of every database (src/databases/redis/redis_scripts.hpp), checked by RdbCheck.

#include "domain/database_kind.hpp"

namespace bk::databases::redis {

class RedisKind final : public domain::DatabaseKind {
public:
    static constexpr std::string_view kName = "redis";

    [[nodiscard]] std::string_view name() const override { return kName; }
    /// The official image and images named like it (bitnami/redis): the last path component.
    [[nodiscard]] bool matches_image(std::string_view repository) const override;
    /// "<target>/all.rdb": an RDB always holds every database, whichever one is named.
    [[nodiscard]] std::string file_name(const std::string& target,
                                        const std::string& database) const override;
    [[nodiscard]] std::unique_ptr<domain::DumpCheck> check(bool all_databases) const override;
    [[nodiscard]] std::string_view describe() const override {
        return "Redis (redis-cli --rdb of the server's own image: every database, one RDB file)";
    }
};

}  // namespace bk::databases::redis

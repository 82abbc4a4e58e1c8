#pragma once
// Redis and Valkey: `redis-cli --rdb -` in a container of the server's own image streams an RDB
// of every database (the password as a 0600 file read by --askpass: never argv or env), checked
// by its CRC-64 end (RdbCheck); the key count per database is taken before and after. A drill
// loads the RDB into a redis-server of the same image inside one client container, on a unix
// socket, and compares the keys per database.

#include <memory>

#include "databases/engine.hpp"

namespace bk::databases::redis {

std::shared_ptr<const domain::DatabaseKind> kind();
std::shared_ptr<const Engine> engine();

}  // namespace bk::databases::redis

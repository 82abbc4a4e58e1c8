#include "domain/table_counts.hpp"

namespace bk::domain {

std::uint64_t* TableCounts::find_or_add(const std::string& name) {
    if (auto it = rows_.find(name); it != rows_.end())
        return &it->second;
    const char* why = nullptr;
    if (name.size() > kMaxName) {
        why = "a table name longer than 1024 bytes";
    } else if (rows_.size() >= kMaxTables) {
        why = "more than 10000 tables";
    } else if (name_bytes_ + name.size() > kMaxNameBytes) {
        why = "more than 1 MiB of table names";
    }
    if (why != nullptr) {
        if (partial_.empty())
            partial_ = why;
        return nullptr;
    }
    name_bytes_ += name.size();
    return &rows_.emplace(name, 0).first->second;
}

}  // namespace bk::domain

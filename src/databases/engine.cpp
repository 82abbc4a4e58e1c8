#include "databases/engine.hpp"

#include <charconv>
#include <sstream>

namespace bk::databases {

std::optional<std::map<std::string, std::uint64_t>> Engine::parse_counts(
    const std::string& out, const std::vector<std::string>& tables, std::string& why) const {
    // One count per line, in the order of `tables` (blank lines skipped).
    std::map<std::string, std::uint64_t> counts;
    std::istringstream lines(out);
    std::string line;
    std::size_t i = 0;
    while (std::getline(lines, line) && i < tables.size()) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (line.empty())
            continue;
        std::uint64_t n = 0;
        auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), n);
        if (ec != std::errc{} || end != line.data() + line.size()) {
            why = "unexpected count output: " + line.substr(0, 200);
            return std::nullopt;
        }
        counts[tables[i++]] = n;
    }
    if (i != tables.size()) {
        why = "counted " + std::to_string(i) + " of " + std::to_string(tables.size()) + " tables";
        return std::nullopt;
    }
    return counts;
}

std::vector<std::string> Engine::with_connection(std::vector<std::string> argv,
                                                 const std::vector<std::string>& connection) const {
    if (!argv.empty())
        argv.insert(argv.begin() + 1, connection.begin(), connection.end());
    return argv;
}

std::string cannot_count(const std::string& table) {
    std::string out = table.substr(0, 200);
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    }
    return "a table name the drill cannot count: " + out;
}

void Registry::add(std::shared_ptr<const domain::DatabaseKind> kind,
                   std::shared_ptr<const Engine> engine) {
    engines_[std::string(kind->name())] = std::move(engine);
    kinds_.add(std::move(kind));
}

std::shared_ptr<const domain::DatabaseKinds> Registry::shared_kinds() const {
    return std::make_shared<const domain::DatabaseKinds>(kinds_);
}

const Engine* Registry::engine(std::string_view name) const {
    auto it = engines_.find(name);
    return it == engines_.end() ? nullptr : it->second.get();
}

}  // namespace bk::databases

#pragma once
// Fake of domain::HookRunner: records every hook's argv; a hook exits with what `exit_codes`
// says for its first word (0 otherwise).

#include <map>
#include <string>
#include <vector>

#include "domain/ports/backup_ports.hpp"

namespace bk::testing {

class FakeHooks final : public domain::HookRunner {
public:
    std::map<std::string, int> exit_codes;  ///< argv[0] -> exit code
    std::vector<std::string> ran;           ///< argv[0] of each hook, in order

    Task<domain::HookOutcome> run(const domain::Target&, std::vector<std::string> argv) override {
        const std::string first = argv.empty() ? std::string{} : argv.front();
        ran.push_back(first);
        auto it = exit_codes.find(first);
        const int code = it == exit_codes.end() ? 0 : it->second;
        co_return domain::HookOutcome{code, code == 0 ? "" : first + ": went wrong\n", ""};
    }
};

}  // namespace bk::testing

// The YAML config loader over any text: a config or problems with their place, never an
// exception, in time linear in the input (yaml-cpp's aliases, deep nesting). ${VAR} lookups get
// a fixed environment; the text is the operator's, but it is read before anything is checked.
#include <optional>
#include <string>

#include "adapters/config/yaml_config_loader.hpp"
#include "bootstrap/database_kinds.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view yaml(reinterpret_cast<const char*>(data), size);
    const bk::adapters::config::EnvLookup env =
        [](const std::string& name) -> std::optional<std::string> {
        if (name == "EMPTY")
            return std::string();
        if (name.size() < 3)
            return std::nullopt;
        return "value-of-" + name;
    };
    const auto config = bk::adapters::config::load_config_text(
        bk::bootstrap::database_kinds(), yaml, "fuzz.yml", env);
    for (const auto& p : config.problems)
        BK_FUZZ_CHECK(!p.message.empty());
    return 0;
}

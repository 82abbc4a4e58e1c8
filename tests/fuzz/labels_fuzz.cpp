// The label parser over any labels: input lines "key=value" (a line starting with "backupctl."
// or "com.docker." and holding no '=' takes the next line as its value). A target or precise
// problems, never an exception; the hook splitter and the glob matcher on the same text.
#include <string>

#include "backupctl/labels/parse.hpp"
#include "domain/operator_config.hpp"
#include "fuzz_input.hpp"

namespace {

bk::domain::OperatorConfig config() {
    bk::domain::OperatorConfig c;
    c.repositories["default"] = {};
    c.repositories["offsite"] = {};
    c.keys["ops"] = {};
    c.notifiers["team-slack"] = {};
    c.monitors["kuma"] = {};
    c.security.dump_images = {"postgres:*", "mariadb:1?.*"};
    return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto cfg = config();
    bk::fuzz::FuzzInput in(data, size);
    bk::labels::ContainerFacts f;
    f.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    f.name = "shop-db-1";
    f.image = "postgres:16.2";
    f.state = (in.byte() & 1u) != 0 ? "running" : "exited";
    f.networks = {"shop_default", "bridge"};
    f.mounts = {{"volume", "shop_pgdata", "/var/lib/postgresql/data"},
                {"bind", "", "/srv/uploads"}};
    while (!in.empty()) {
        const auto line = in.line();
        const auto eq = line.find('=');
        if (eq == std::string_view::npos) {
            f.labels[std::string(line)] = std::string(in.line());
        } else {
            f.labels[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
        }
    }
    (void)bk::labels::mentions_backupctl(f.labels);
    const auto outcome = bk::labels::parse_labels(f, cfg);
    if (outcome.disposition == bk::domain::Disposition::target)
        BK_FUZZ_CHECK(outcome.target);
    for (const auto& [k, v] : f.labels) {
        (void)bk::labels::split_command(v);
        (void)bk::labels::secret_reason(k, v);
        (void)bk::labels::glob_match("*a*b?c*", v);
    }
    return 0;
}

#include "bootstrap/logging.hpp"

#include "adapters/log/spdlog_logger.hpp"

namespace bk::bootstrap {

std::vector<std::string> secrets_of(const domain::OperatorConfig& config) {
    std::vector<std::string> out;
    auto add = [&out](const domain::Secret& s) {
        if (!s.empty())
            out.push_back(s.reveal());
    };
    for (const auto& [name, repo] : config.repositories) {
        add(repo.password);
        for (const auto& [key, value] : repo.env)
            add(value);
    }
    for (const auto& [name, n] : config.notifiers) {
        for (const auto& [key, value] : n.secrets)
            add(value);
    }
    for (const auto& [name, m] : config.monitors) {
        for (const auto& [key, value] : m.secrets)
            add(value);
    }
    for (const auto& t : config.projects) {
        if (t.database)
            add(t.database->password);
    }
    return out;
}

std::unique_ptr<domain::Logger> make_logger(const domain::OperatorConfig& config, int verbosity) {
    adapters::log::SpdlogLogger::Options o;
    o.level = domain::with_verbosity(config.log.level, verbosity);
    o.format = config.log.format;
    o.secrets = secrets_of(config);
    return std::make_unique<adapters::log::SpdlogLogger>(std::move(o));
}

}  // namespace bk::bootstrap

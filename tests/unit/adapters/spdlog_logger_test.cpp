#include "adapters/log/spdlog_logger.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "bootstrap/logging.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)
using adapters::log::SpdlogLogger;
using domain::LogFormat;
using domain::LogLevel;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        out.push_back(line);
    return out;
}

SpdlogLogger::Options options(LogLevel level,
                              LogFormat format,
                              std::vector<std::string> secrets = {}) {
    SpdlogLogger::Options o;
    o.level = level;
    o.format = format;
    o.secrets = std::move(secrets);
    return o;
}

}  // namespace

TEST_CASE("log: a JSON line is one object with time, level, message, target and run",
          "[unit][log]") {
    std::ostringstream out;
    SpdlogLogger log(options(LogLevel::info, LogFormat::json), out);
    log.info("run of shop (schedule) starts", {"shop", "r-20261207-1"});
    log.warn("listing containers failed: timeout");
    log.error("a \"quoted\" line\nwith a break and a \x01 control");
    const auto lines = lines_of(out.str());
    REQUIRE(lines.size() == 3);
    const auto first = nlohmann::json::parse(lines[0]);
    CHECK(first["level"] == "info");
    CHECK(first["message"] == "run of shop (schedule) starts");
    CHECK(first["target"] == "shop");
    CHECK(first["run"] == "r-20261207-1");
    CHECK(std::regex_match(first["time"].get<std::string>(),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    const auto second = nlohmann::json::parse(lines[1]);
    CHECK(second["level"] == "warn");
    CHECK_FALSE(second.contains("target"));  // not known: not there (no empty fields)
    CHECK_FALSE(second.contains("run"));
    // A line break in a message stays inside its JSON string: one event, one line.
    const auto third = nlohmann::json::parse(lines[2]);
    CHECK(third["level"] == "error");
    CHECK(third["message"] == "a \"quoted\" line\nwith a break and a \x01 control");
}

TEST_CASE("log: text lines escape line breaks and carry target and run", "[unit][log]") {
    std::ostringstream out;
    SpdlogLogger log(options(LogLevel::info, LogFormat::text), out);
    log.warn("run of shop: failed (pg_dump: error\nforged 2026-01-01T00:00:00Z info ok)",
             {"shop", "r-1"});
    const auto lines = lines_of(out.str());
    REQUIRE(lines.size() == 1);
    CHECK(std::regex_match(
        lines[0],
        std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ warn run of shop: failed \(pg_dump: )"
                   R"(error\\nforged 2026-01-01T00:00:00Z info ok\) target=shop run=r-1)")));
}

TEST_CASE("log: the level filters, and -v / -vv only make it more verbose", "[unit][log]") {
    std::ostringstream out;
    SpdlogLogger log(options(LogLevel::warn, LogFormat::text), out);
    CHECK_FALSE(log.enabled(LogLevel::info));
    CHECK(log.enabled(LogLevel::error));
    log.debug("not written");
    log.info("not written either");
    log.warn("written");
    log.error("written too");
    const auto lines = lines_of(out.str());
    REQUIRE(lines.size() == 2);
    CHECK_THAT(lines[0], Catch::Contains(" warn written"));
    CHECK_THAT(lines[1], Catch::Contains(" error written too"));

    CHECK(domain::with_verbosity(LogLevel::warn, 0) == LogLevel::warn);
    CHECK(domain::with_verbosity(LogLevel::warn, 1) == LogLevel::debug);
    CHECK(domain::with_verbosity(LogLevel::info, 2) == LogLevel::trace);
    CHECK(domain::with_verbosity(LogLevel::info, 5) == LogLevel::trace);
    CHECK(domain::with_verbosity(LogLevel::trace, 1) == LogLevel::trace);  // never quieter
    CHECK(domain::parse_log_level("warning") == LogLevel::warn);
    CHECK_FALSE(domain::parse_log_level("loud").has_value());
}

TEST_CASE("log: a secret in an error never reaches a JSON log line", "[unit][log][secret]") {
    // The config's secrets, as bootstrap hands them to the logger.
    domain::OperatorConfig config;
    config.repositories["offsite"].password = domain::Secret("s3cr3t-restic-pw", "inline");
    config.repositories["offsite"].env["AWS_SECRET_ACCESS_KEY"] =
        domain::Secret("AKIAsecretKEY42", "env AWS_SECRET_ACCESS_KEY");
    config.notifiers["ops"].secrets["url"] =
        domain::Secret("https://hooks.slack.test/T000/B000/XXXXtoken", "inline");
    domain::Target project;
    project.database.emplace();
    project.database->password = domain::Secret("db-pass-9876", "file /run/secrets/db");
    config.projects.push_back(project);
    config.log.format = LogFormat::json;
    const auto secrets = bootstrap::secrets_of(config);
    CHECK(secrets.size() == 4);

    std::ostringstream out;
    SpdlogLogger log(options(LogLevel::info, LogFormat::json, secrets), out);
    log.error(
        "repository offsite (rest:https://backup:s3cr3t-restic-pw@rest.example:8000/shop): "
        "Fatal: wrong password s3cr3t-restic-pw; AWS said AKIAsecretKEY42 is invalid; "
        "notifier ops (https://hooks.slack.test/T000/B000/XXXXtoken) failed; "
        "psql: password db-pass-9876 rejected",
        {"shop", "r-1"});
    const auto lines = lines_of(out.str());
    REQUIRE(lines.size() == 1);
    for (const char* secret : {"s3cr3t-restic-pw", "AKIAsecretKEY42", "XXXXtoken", "db-pass-9876"})
        CHECK(lines[0].find(secret) == std::string::npos);
    const auto j = nlohmann::json::parse(lines[0]);
    CHECK_THAT(j["message"].get<std::string>(),
               Catch::Contains("rest:https://backup:***@rest.example:8000/shop"));
    CHECK_THAT(j["message"].get<std::string>(), Catch::Contains("wrong password *****;"));
    CHECK(j["target"] == "shop");

    // A URL's password is masked even when the config does not know it (a label's).
    std::ostringstream plain;
    SpdlogLogger unaware(options(LogLevel::info, LogFormat::json), plain);
    unaware.warn("cannot reach https://u:label-only-pw@host.example/x");
    CHECK(plain.str().find("label-only-pw") == std::string::npos);
}

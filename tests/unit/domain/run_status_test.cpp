// The states' strings are a contract: the audit trail's columns (old databases must still read),
// the JSONL fallback, the API's and webhooks' JSON and the CLI's words. Each value has exactly
// one string, parsing is its inverse, and nothing else parses.
#include "domain/run_status.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace bk::domain;  // NOLINT(google-build-using-namespace)

TEST_CASE("run statuses: each value has the string older versions wrote, and parses back",
          "[unit][status]") {
    const std::vector<std::pair<RunStatus, std::string>> expected{
        {RunStatus::running, "running"},
        {RunStatus::success, "success"},
        {RunStatus::failed, "failed"},
        {RunStatus::partial, "partial"},
        {RunStatus::skipped, "skipped"},
        {RunStatus::crashed, "crashed"},
        {RunStatus::passed_empty, "passed-empty"},
        {RunStatus::suspect, "suspect"},
    };
    REQUIRE(std::size(kRunStatuses) == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto& [value, word] = expected[i];
        CHECK(kRunStatuses[i] == value);  // the order the CLI and the API list them in
        CHECK(to_string(value) == word);
        CHECK(parse_run_status(word) == value);
        std::ostringstream os;
        os << value;
        CHECK(os.str() == word);
    }
}

TEST_CASE("step outcomes, drill results and retention outcomes: one string each, parsed back",
          "[unit][status]") {
    const std::vector<std::pair<StepOutcome, std::string>> steps{{StepOutcome::ok, "ok"},
                                                                 {StepOutcome::failed, "failed"},
                                                                 {StepOutcome::skipped, "skipped"}};
    REQUIRE(std::size(kStepOutcomes) == steps.size());
    for (const auto& [value, word] : steps) {
        CHECK(to_string(value) == word);
        CHECK(parse_step_outcome(word) == value);
    }
    const std::vector<std::pair<DrillResult, std::string>> drills{
        {DrillResult::passed, "passed"},
        {DrillResult::passed_empty, "passed-empty"},
        {DrillResult::failed, "failed"}};
    REQUIRE(std::size(kDrillResults) == drills.size());
    for (const auto& [value, word] : drills) {
        CHECK(to_string(value) == word);
        CHECK(parse_drill_result(word) == value);
    }
    const std::vector<std::pair<RetentionOutcome, std::string>> retention{
        {RetentionOutcome::not_run, ""},
        {RetentionOutcome::ok, "ok"},
        {RetentionOutcome::delegated, "delegated"},
        {RetentionOutcome::skipped, "skipped"},
        {RetentionOutcome::failed, "failed"}};
    REQUIRE(std::size(kRetentionOutcomes) == retention.size());
    for (const auto& [value, word] : retention) {
        CHECK(to_string(value) == word);
        CHECK(parse_retention_outcome(word) == value);
    }
}

TEST_CASE("the value lists hold every value once", "[unit][status]") {
    std::set<std::string> words;
    for (const auto s : kRunStatuses)
        words.insert(to_string(s));
    CHECK(words.size() == std::size(kRunStatuses));
    CHECK(words.count("?") == 0);
}

TEST_CASE("an unknown string is no state: never a default", "[unit][status]") {
    for (const char* word : {"",
                             "ok",
                             "passed",
                             "Success",
                             "success ",
                             "FAILED",
                             "passed_empty",
                             "unknown",
                             "pre-restore"}) {
        INFO(word);
        CHECK_FALSE(parse_run_status(word).has_value());
    }
    for (const char* word : {"", "success", "passed", "OK", "removed", "kept"}) {
        INFO(word);
        CHECK_FALSE(parse_step_outcome(word).has_value());
    }
    for (const char* word : {"", "success", "ok", "crashed", "passed_empty"}) {
        INFO(word);
        CHECK_FALSE(parse_drill_result(word).has_value());
    }
    for (const char* word : {"success", "passed", "busy"}) {
        INFO(word);
        CHECK_FALSE(parse_retention_outcome(word).has_value());
    }
}

TEST_CASE("a failed run is failed, partial or crashed, and a passed drill's run keeps success",
          "[unit][status]") {
    std::set<RunStatus> failing;
    for (const auto s : kRunStatuses) {
        if (is_failed_run(s))
            failing.insert(s);
    }
    CHECK(failing ==
          std::set<RunStatus>{RunStatus::failed, RunStatus::partial, RunStatus::crashed});
    CHECK(run_status_of(DrillResult::passed) == RunStatus::success);
    CHECK(run_status_of(DrillResult::passed_empty) == RunStatus::passed_empty);
    CHECK(run_status_of(DrillResult::failed) == RunStatus::failed);
}

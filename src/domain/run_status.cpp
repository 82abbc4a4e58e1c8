#include "domain/run_status.hpp"

#include <array>
#include <ostream>
#include <utility>

namespace bk::domain {
namespace {

// The one table per enum: every value with its string.
constexpr std::array<std::pair<RunStatus, std::string_view>, 8> kNamedRunStatuses{{
    {RunStatus::running, "running"},
    {RunStatus::success, "success"},
    {RunStatus::failed, "failed"},
    {RunStatus::partial, "partial"},
    {RunStatus::skipped, "skipped"},
    {RunStatus::crashed, "crashed"},
    {RunStatus::passed_empty, "passed-empty"},
    {RunStatus::suspect, "suspect"},
}};
constexpr std::array<std::pair<StepOutcome, std::string_view>, 3> kNamedStepOutcomes{{
    {StepOutcome::ok, "ok"},
    {StepOutcome::failed, "failed"},
    {StepOutcome::skipped, "skipped"},
}};
constexpr std::array<std::pair<DrillResult, std::string_view>, 3> kNamedDrillResults{{
    {DrillResult::passed, "passed"},
    {DrillResult::passed_empty, "passed-empty"},
    {DrillResult::failed, "failed"},
}};
constexpr std::array<std::pair<RetentionOutcome, std::string_view>, 5> kNamedRetentionOutcomes{{
    {RetentionOutcome::not_run, ""},
    {RetentionOutcome::ok, "ok"},
    {RetentionOutcome::delegated, "delegated"},
    {RetentionOutcome::skipped, "skipped"},
    {RetentionOutcome::failed, "failed"},
}};

template <typename E, std::size_t N>
std::string name_of(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
    for (const auto& [v, name] : table) {
        if (v == value)
            return std::string(name);
    }
    return "?";  // unreachable: every enumerator is in its table (tested)
}

template <typename E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& table,
                          std::string_view s) {
    for (const auto& [v, name] : table) {
        if (name == s)
            return v;
    }
    return std::nullopt;
}

}  // namespace

std::string to_string(RunStatus s) {
    return name_of(kNamedRunStatuses, s);
}
std::string to_string(StepOutcome o) {
    return name_of(kNamedStepOutcomes, o);
}
std::string to_string(DrillResult r) {
    return name_of(kNamedDrillResults, r);
}
std::string to_string(RetentionOutcome r) {
    return name_of(kNamedRetentionOutcomes, r);
}

std::optional<RunStatus> parse_run_status(std::string_view s) {
    return value_of(kNamedRunStatuses, s);
}
std::optional<StepOutcome> parse_step_outcome(std::string_view s) {
    return value_of(kNamedStepOutcomes, s);
}
std::optional<DrillResult> parse_drill_result(std::string_view s) {
    return value_of(kNamedDrillResults, s);
}
std::optional<RetentionOutcome> parse_retention_outcome(std::string_view s) {
    return value_of(kNamedRetentionOutcomes, s);
}

std::ostream& operator<<(std::ostream& os, RunStatus s) {
    return os << to_string(s);
}
std::ostream& operator<<(std::ostream& os, StepOutcome o) {
    return os << to_string(o);
}
std::ostream& operator<<(std::ostream& os, DrillResult r) {
    return os << to_string(r);
}
std::ostream& operator<<(std::ostream& os, RetentionOutcome r) {
    return os << to_string(r);
}

}  // namespace bk::domain

// Trust across runs: a stored dump against the last normal one of its database. The rules, their
// thresholds and the policy's text form (labels and config).
#include "domain/anomaly.hpp"

#include <catch2/catch.hpp>

using namespace bk;  // NOLINT(google-build-using-namespace)
using domain::DumpFigures;

namespace {

DumpFigures dump(const std::string& run,
                 std::int64_t at,
                 std::uint64_t bytes,
                 std::map<std::string, std::uint64_t> rows) {
    DumpFigures f;
    f.run_id = run;
    f.at = at;
    f.bytes = bytes;
    f.has_rows = true;
    f.rows = std::move(rows);
    return f;
}

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kT0 = 1'796'000'000;

bool mentions(const std::vector<std::string>& lines, const std::string& what) {
    for (const auto& l : lines) {
        if (l.find(what) != std::string::npos)
            return true;
    }
    return false;
}

}  // namespace

TEST_CASE("90 percent of a table's rows gone makes the dump suspect, 40 percent does not",
          "[anomaly]") {
    const domain::AnomalyPolicy policy;
    const std::vector<DumpFigures> normal{
        dump("r1", kT0, 200'000, {{"public.items", 1000}, {"public.users", 50}})};
    auto cut = find_anomalies(
        dump("r2", kT0 + kDay, 190'000, {{"public.items", 100}, {"public.users", 50}}),
        normal,
        policy);
    REQUIRE(cut.size() == 1);
    CHECK(mentions(cut, "table public.items: 1000 -> 100 rows (-90%)"));
    CHECK(mentions(cut, "run r1"));
    CHECK(find_anomalies(
              dump("r2", kT0 + kDay, 190'000, {{"public.items", 600}, {"public.users", 50}}),
              normal,
              policy)
              .empty());
    // At the threshold exactly: suspect.
    CHECK(find_anomalies(
              dump("r2", kT0 + kDay, 190'000, {{"public.items", 500}, {"public.users", 50}}),
              normal,
              policy)
              .size() == 1);
}

TEST_CASE("a table gone, a dump half its size and small tables", "[anomaly]") {
    const domain::AnomalyPolicy policy;
    const std::vector<DumpFigures> normal{
        dump("r1", kT0, 100'000, {{"a", 5}, {"b", 2000}, {"c", 3}})};
    auto found =
        find_anomalies(dump("r2", kT0 + 1, 40'000, {{"a", 0}, {"b", 2000}}), normal, policy);
    CHECK(mentions(found, "table c is gone (it had 3 rows"));
    CHECK(mentions(found, "dump size"));
    CHECK(mentions(found, "(-60%)"));
    // A table of 5 rows that lost them all is below the rows rule's floor (kAnomalyMinRows).
    CHECK_FALSE(mentions(found, "table a:"));
    CHECK(found.size() == 2);
    // Counts left partial by the census's bounds: a missing table may just be uncounted.
    auto partial = dump("r2", kT0 + 1, 100'000, {{"a", 5}, {"b", 2000}});
    partial.rows_partial = "more than 10000 tables";
    CHECK(find_anomalies(partial, normal, policy).empty());
    // Bytes below the floor are not judged; nor are bytes an older version did not record.
    const std::vector<DumpFigures> tiny{dump("r1", kT0, 3000, {{"b", 2000}})};
    CHECK(find_anomalies(dump("r2", kT0 + 1, 100, {{"b", 2000}}), tiny, policy).empty());
    const std::vector<DumpFigures> unrecorded{dump("r1", kT0, 0, {{"b", 2000}})};
    CHECK(find_anomalies(dump("r2", kT0 + 1, 100, {{"b", 2000}}), unrecorded, policy).empty());
}

TEST_CASE("the comparison is with the newest normal dump, and no history judges nothing",
          "[anomaly]") {
    const domain::AnomalyPolicy policy;
    CHECK(find_anomalies(dump("r1", kT0, 10, {{"t", 0}}), {}, policy).empty());
    // An accepted drop is the baseline: the dump after it is normal against it.
    const std::vector<DumpFigures> normal{dump("r3", kT0 + 2 * kDay, 20'000, {{"t", 100}}),
                                          dump("r1", kT0, 200'000, {{"t", 1000}})};
    CHECK(find_anomalies(dump("r4", kT0 + 3 * kDay, 20'500, {{"t", 101}}), normal, policy).empty());
}

TEST_CASE("a dump identical for longer than unchanged allows is suspect", "[anomaly]") {
    auto policy = *domain::parse_anomaly_policy("unchanged=3d");
    const std::map<std::string, std::uint64_t> rows{{"t", 42}};
    std::vector<DumpFigures> normal;
    for (int d = 1; d <= 4; ++d)  // newest first: 1, 2, 3 and 4 days before now, identical
        normal.push_back(dump("r" + std::to_string(d), kT0 + (5 - d) * kDay, 9000, rows));
    // now is kT0 + 5 days; the identical streak reaches back to kT0 + 1 day: 4 days.
    auto found = find_anomalies(dump("r5", kT0 + 5 * kDay, 9000, rows), normal, policy);
    REQUIRE(found.size() == 1);
    CHECK(mentions(found, "identical to the last 4 dump(s)"));
    // Two days of sameness is within the policy.
    std::vector<DumpFigures> recent(normal.begin(), normal.begin() + 2);
    CHECK(find_anomalies(dump("r5", kT0 + 5 * kDay, 9000, rows), recent, policy).empty());
    // One changed dump in the streak ends it.
    normal[1].rows = {{"t", 41}};
    CHECK(find_anomalies(dump("r5", kT0 + 5 * kDay, 9000, rows), normal, policy).empty());
    // Off by default.
    CHECK(find_anomalies(dump("r5", kT0 + 5 * kDay, 9000, rows),
                         {dump("r1", kT0, 9000, rows)},
                         domain::AnomalyPolicy{})
              .empty());
}

TEST_CASE("anomaly policies parse from labels, with the rules turned off one by one or all",
          "[anomaly]") {
    auto p = domain::parse_anomaly_policy("rows-drop=80%, bytes-drop=off ,unchanged=2d");
    REQUIRE(p);
    CHECK(p->rows_drop == 80);
    CHECK(p->bytes_drop == 0);
    CHECK(p->table_gone);
    CHECK(p->unchanged == std::chrono::hours(48));
    CHECK(p->to_string() == "bytes-drop=off,rows-drop=80%,table-gone=on,unchanged=2d");
    CHECK(domain::parse_anomaly_policy(p->to_string())->to_string() == p->to_string());
    auto off = domain::parse_anomaly_policy("off");
    REQUIRE(off);
    CHECK(off->off());
    CHECK(off->to_string() == "off");
    const std::vector<DumpFigures> normal{dump("r1", kT0, 100'000, {{"t", 1000}})};
    CHECK(find_anomalies(dump("r2", kT0 + 1, 10, {}), normal, *off).empty());
    CHECK(domain::AnomalyPolicy{}.to_string() ==
          "bytes-drop=50%,rows-drop=50%,table-gone=on,unchanged=off");

    CHECK(domain::parse_anomaly_policy("rows-dorp=50").error ==
          "unknown key \"rows-dorp\"; did you mean \"rows-drop\"?");
    CHECK(domain::parse_anomaly_policy("rows-drop=150%").error.find("percentage") !=
          std::string::npos);
    CHECK(domain::parse_anomaly_policy("rows-drop=5,rows-drop=6").error ==
          "rows-drop is given twice");
    CHECK_FALSE(domain::parse_anomaly_policy("table-gone=maybe"));
    CHECK_FALSE(domain::parse_anomaly_policy("unchanged=soon"));
    CHECK_FALSE(domain::parse_anomaly_policy(""));
    CHECK_FALSE(domain::parse_anomaly_policy("rows-drop"));
}

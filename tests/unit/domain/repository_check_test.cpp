// The rotation of repository checks (docs/repositories.md#checks): which subset comes next, how
// much of the data the current rotation has read, and when forget and prune refuse.
#include "domain/repository_check.hpp"

#include <catch2/catch.hpp>

#include <optional>
#include <vector>

using namespace bk::domain;  // NOLINT(google-build-using-namespace)

namespace {
CheckRecord rec(int k, int n, bool ok, std::int64_t read = 10, std::int64_t total = 40) {
    CheckRecord c;
    c.repository = "main";
    c.finished_at = "2026-12-07T10:00:00Z";
    c.subset = k;
    c.subsets = n;
    c.ok = ok;
    c.packs_read = read;
    c.total_packs = total;
    c.error =
        ok ? "" : "Pack ID does not match, want 3a5d, got 1a70\nFatal: repository contains errors";
    return c;
}
}  // namespace

TEST_CASE("restic's read group line gives the packs read and the total", "[unit][checks]") {
    // restic 0.14.0 on this machine, verbatim.
    const auto c = parse_check_counts(
        "load indexes\ncheck all packs\ncheck snapshots, trees and blobs\n"
        "read group #2 of 13 data packs (out of total 101 packs in 8 groups)\n"
        "[0:00] 100.00%  13 / 13 packs\n\nno errors were found\n");
    CHECK(c.packs_read == 13);
    CHECK(c.total_packs == 101);
    const auto none = parse_check_counts("no errors were found\n");
    CHECK(none.packs_read == -1);
    CHECK(none.total_packs == -1);
}

TEST_CASE(
    "the next subset moves on after a pass, repeats after a failure and restarts when N changes",
    "[unit][checks]") {
    CHECK(next_subset(std::nullopt, 8) == 1);
    CHECK(next_subset(rec(1, 8, true), 8) == 2);
    CHECK(next_subset(rec(7, 8, true), 8) == 8);
    CHECK(next_subset(rec(8, 8, true), 8) == 1);
    CHECK(next_subset(rec(3, 8, false), 8) == 3);
    CHECK(next_subset(rec(3, 8, true), 4) == 1);
    CHECK(next_subset(rec(1, 1, true), 1) == 1);
}

TEST_CASE("N passed checks in a row read the whole repository", "[unit][checks]") {
    // Newest first: subsets 1..4 of 4 read 10 + 12 + 8 + 10 = 40 packs of 40.
    std::vector<CheckRecord> all{
        rec(4, 4, true, 10), rec(3, 4, true, 8), rec(2, 4, true, 12), rec(1, 4, true, 10)};
    CHECK(rotation_read_fraction(all, 4) == Approx(1.0));
    // Half way through the next rotation: only its own checks count.
    std::vector<CheckRecord> half{
        rec(2, 4, true, 12), rec(1, 4, true, 10), rec(4, 4, true, 10), rec(3, 4, true, 8)};
    CHECK(rotation_read_fraction(half, 4) == Approx(22.0 / 40));
    // A failure adds nothing; the pass that repeats its subset does.
    std::vector<CheckRecord> failed{rec(2, 4, false, 12), rec(1, 4, true, 10)};
    CHECK(rotation_read_fraction(failed, 4) == Approx(10.0 / 40));
    // Checks with another N belong to an old rotation.
    std::vector<CheckRecord> other_n{rec(1, 4, true, 10), rec(3, 8, true, 5)};
    CHECK(rotation_read_fraction(other_n, 8) == 0);
    CHECK(rotation_read_fraction({}, 4) == 0);
}

TEST_CASE("forget and prune refuse a repository whose last check failed, until one passes",
          "[unit][checks]") {
    CHECK_FALSE(maintenance_refusal("main", std::nullopt));
    CHECK_FALSE(maintenance_refusal("main", rec(2, 4, true)));
    const auto refused = maintenance_refusal("main", rec(2, 4, false));
    REQUIRE(refused);
    CHECK_THAT(*refused, Catch::Contains("repository main"));
    CHECK_THAT(*refused, Catch::Contains("2026-12-07T10:00:00Z"));
    CHECK_THAT(*refused, Catch::Contains("Pack ID does not match"));
    CHECK_THAT(*refused, Catch::Contains("backupctl check --now main"));
}

TEST_CASE("a check is overdue after twice its interval without one", "[unit][checks]") {
    const std::int64_t week = 7 * 86400;
    CHECK_FALSE(check_overdue(1000, week, 1000 + 2 * week));
    CHECK(check_overdue(1000, week, 1001 + 2 * week));
    CHECK_FALSE(check_overdue(-1, week, 10 * week));
}

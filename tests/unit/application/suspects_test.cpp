// Suspect runs with fakes behind every port (docs/anomalies.md): a stored dump that lost most of
// a table's rows since the last normal run is kept, tagged `suspect` (a retention group of its
// own) and the run ends suspect; later runs still compare with the last normal one; `accept`
// makes it normal and lets retention proceed; a snapshot that cannot be tagged holds retention.
#include "application/suspects.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "support/bk_result_printing.hpp"
#include "support/fakes.hpp"
#include "support/run_rig.hpp"
#include "support/run_task.hpp"

using namespace bk;  // NOLINT(google-build-using-namespace)

namespace {

struct Rig : bk::testing::RunRig {
    domain::Target target = *bk::testing::labelled_target("shop-db").target;

    Rig() { target.retention.last = 1; }

    app::RunReport run(std::uint64_t items) {
        dumper.rows = {{"public.items", items}, {"public.users", 40}};
        auto r = runner();
        return bk::testing::run_task(r.run(target, "manual", ""));
    }
    bool tagged_suspect(std::size_t i) const {
        const auto& tags = repo.snapshots_stored.at(i).tags;
        return std::find(tags.begin(), tags.end(), "suspect") != tags.end();
    }
    std::string step_detail(const std::string& run_id, const std::string& name) {
        auto s = audit->steps(run_id);
        REQUIRE(s.has_value());
        for (const auto& step : *s) {
            if (step.name == name)
                return domain::to_string(step.outcome) + ": " + step.detail;
        }
        return "(no step " + name + ")";
    }
};

}  // namespace

TEST_CASE("a run whose table lost 90 percent of its rows is suspect, tagged, and kept apart",
          "[unit][anomaly]") {
    Rig rig;
    const auto first = rig.run(1000);
    REQUIRE(first.status == domain::RunStatus::success);
    CHECK(rig.step_detail(first.run_id, "anomalies").find("baseline") != std::string::npos);

    const auto second = rig.run(100);
    INFO(second.error);
    CHECK(second.status == domain::RunStatus::suspect);
    CHECK(second.stage == "anomalies");
    CHECK(second.error.find("app: table public.items: 1000 -> 100 rows (-90%)") !=
          std::string::npos);
    REQUIRE(rig.repo.snapshots_stored.size() == 2);
    CHECK_FALSE(rig.tagged_suspect(0));
    CHECK(rig.tagged_suspect(1));
    // The report, the run's record and the contents record follow the re-tagged id.
    const auto new_id = rig.repo.snapshots_stored[1].id;
    REQUIRE(second.items.size() == 1);
    CHECK(second.items[0].snapshot_id == new_id.substr(0, 8));
    auto record = rig.audit->run(second.run_id);
    REQUIRE(record.has_value());
    REQUIRE(record->has_value());
    CHECK((*record)->status == domain::RunStatus::suspect);
    CHECK((*record)->snapshots == new_id.substr(0, 8));
    auto contents = rig.audit->contents(new_id);
    REQUIRE(contents.has_value());
    CHECK(contents->has_value());
    // Retention ran (the suspect snapshot forms its own group in restic: host and tags).
    CHECK(second.retention == domain::RetentionOutcome::ok);
    CHECK(rig.step_detail(second.run_id, "anomalies").rfind("failed: ", 0) == 0);

    // The next run compares with the last normal one, not with the suspect one.
    const auto third = rig.run(100);
    CHECK(third.status == domain::RunStatus::suspect);
    CHECK(third.error.find("since run " + first.run_id) != std::string::npos);

    // Accepted: success, untagged, retention proceeds, and the new level is the baseline.
    const auto forgets = rig.repo.forgets.size();
    auto accepted = bk::testing::run_task(
        app::accept_run(*rig.audit, rig.lookup(), rig.config, rig.target, second.run_id, "tester"));
    REQUIRE(accepted.has_value());
    CHECK(accepted->retention == domain::RetentionOutcome::ok);
    CHECK_FALSE(rig.tagged_suspect(1));
    CHECK(rig.tagged_suspect(2));  // the third run is still suspect
    CHECK(rig.repo.forgets.size() == forgets + 1);
    record = rig.audit->run(second.run_id);
    REQUIRE(record.has_value());
    REQUIRE(record->has_value());
    CHECK((*record)->status == domain::RunStatus::success);
    CHECK((*record)->snapshots == rig.repo.snapshots_stored[1].id.substr(0, 8));
    CHECK(rig.step_detail(second.run_id, "accepted").find("tester") != std::string::npos);
    const auto fourth = rig.run(101);
    CHECK(fourth.status == domain::RunStatus::success);

    // Only a suspect backup is accepted.
    auto again = bk::testing::run_task(
        app::accept_run(*rig.audit, rig.lookup(), rig.config, rig.target, second.run_id, "tester"));
    REQUIRE_FALSE(again.has_value());
    CHECK(again.error().message.find("only a suspect backup is accepted") != std::string::npos);
}

TEST_CASE("a suspect snapshot that cannot be tagged holds retention back", "[unit][anomaly]") {
    Rig rig;
    REQUIRE(rig.run(1000).status == domain::RunStatus::success);
    rig.repo.retag_fails = Failure{errc::repo_locked, "repository is already locked"};
    const auto forgets = rig.repo.forgets.size();
    const auto second = rig.run(10);
    CHECK(second.status == domain::RunStatus::suspect);
    CHECK(second.retention == domain::RetentionOutcome::skipped);
    CHECK(second.retention_detail.find("could not be tagged suspect") != std::string::npos);
    CHECK(rig.repo.forgets.size() == forgets);
    CHECK(rig.repo.snapshots_stored.size() == 2);
}

TEST_CASE("an anomaly policy that is off judges nothing, and a safety backup is never judged",
          "[unit][anomaly]") {
    Rig rig;
    REQUIRE(rig.run(1000).status == domain::RunStatus::success);
    SECTION("off") {
        rig.target.anomaly = *domain::parse_anomaly_policy("off");
        CHECK(rig.run(0).status == domain::RunStatus::success);
    }
    SECTION("a restore's safety backup") {
        rig.dumper.rows = {{"public.items", 1}};
        auto r = rig.runner();
        CHECK(bk::testing::run_task(r.run(rig.target, domain::kSafetyTrigger, "")).status ==
              domain::RunStatus::success);
    }
    CHECK(rig.repo.retags == 0);
}

TEST_CASE("accept on an append-only repository forgets through its maintenance credentials",
          "[unit][anomaly]") {
    Rig rig;
    REQUIRE(rig.run(1000).status == domain::RunStatus::success);
    const auto suspect = rig.run(10);
    REQUIRE(suspect.status == domain::RunStatus::suspect);
    auto& repo = rig.config.repositories[rig.target.repository];
    repo.append_only = true;
    SECTION("with them: retention runs") {
        repo.has_maintenance = true;
        const auto forgets = rig.repo.forgets.size();
        auto accepted = bk::testing::run_task(app::accept_run(
            *rig.audit, rig.lookup(), rig.config, rig.target, suspect.run_id, "tester"));
        REQUIRE(accepted.has_value());
        CHECK(accepted->retention == domain::RetentionOutcome::ok);
        CHECK(rig.repo.forgets.size() == forgets + 1);
    }
    SECTION("without them: delegated") {
        const auto forgets = rig.repo.forgets.size();
        auto accepted = bk::testing::run_task(app::accept_run(
            *rig.audit, rig.lookup(), rig.config, rig.target, suspect.run_id, "tester"));
        REQUIRE(accepted.has_value());
        CHECK(accepted->retention == domain::RetentionOutcome::delegated);
        CHECK(rig.repo.forgets.size() == forgets);
    }
}

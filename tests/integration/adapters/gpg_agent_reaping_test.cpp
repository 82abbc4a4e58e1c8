// The gpg-agent a decrypt starts daemonizes away from gpg, so it becomes a child of PID 1: in the
// image that is backupctl itself (no init), and each restore or drill of an encrypted snapshot
// used to leave a zombie gpg-agent. Here the test process is a child subreaper, a stand-in for
// PID 1: a real encrypted backup and restore (restic, gpg) with an OrphanReaper running all along
// (it must not steal the exit status of restic or gpg), then no agent is left, alive or zombie.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/process/child_process.hpp"
#include "adapters/restic/restic_repository.hpp"
#include "support/bk_result_printing.hpp"
#include "support/gpg_key.hpp"
#include "support/run_task.hpp"
#include "support/shell.hpp"
#include "support/test_env.hpp"
#include <sys/prctl.h>
#include <unistd.h>

namespace process = bk::adapters::process;
using bk::testing::quoted;
using bk::testing::run_task;
using bk::testing::sh;

namespace {

struct Child {
    int pid;
    char state;        // R, S, Z, ...
    std::string comm;  // gpg-agent, ...
};

/// The children of this process, from /proc (each one's stat names its parent).
std::vector<Child> own_children() {
    std::vector<Child> out;
    const auto self = std::to_string(::getpid());
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/proc", ec)) {
        const auto name = e.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
            continue;
        std::ifstream in(e.path() / "stat");
        std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto open = stat.find('(');
        const auto close = stat.rfind(')');
        if (open == std::string::npos || close == std::string::npos)
            continue;
        std::istringstream rest(stat.substr(close + 1));
        char state = 0;
        std::string ppid;
        rest >> state >> ppid;
        if (ppid == self)
            out.push_back({std::stoi(name), state, stat.substr(open + 1, close - open - 1)});
    }
    return out;
}

std::string describe(const std::vector<Child>& cs) {
    std::string s;
    for (const auto& c : cs)
        s += std::to_string(c.pid) + " " + c.comm + " " + c.state + "; ";
    return s;
}

struct Outcome {
    std::string restored;
    std::vector<Child> children_while_reading;
};

bk::Task<Outcome> backup_and_restore(bk::adapters::restic::ResticRepository& repo,
                                     std::filesystem::path work,
                                     std::string data) {
    Outcome out;
    auto prepared = co_await repo.prepare();
    REQUIRE(prepared);
    bk::domain::WriterSpec w;
    w.file_name = "/drill/db.sql";
    w.tags = {"target:drill"};
    w.public_key_file = (work / "key.pub").string();
    auto writer = co_await repo.open_writer(w);
    REQUIRE(writer);
    auto wrote = co_await (*writer)->write(data);
    REQUIRE(wrote);
    auto snap = co_await (*writer)->commit();
    REQUIRE(snap);
    writer->reset();

    bk::domain::ReadSpec r;
    r.snapshot_id = snap->snapshot_id;
    r.path = "/drill/db.sql";
    r.private_key_file = (work / "key.sec").string();
    auto reader = co_await repo.open_reader(r);
    REQUIRE(reader);
    std::vector<char> buf(65536);
    for (;;) {
        auto n = co_await (*reader)->read(buf);
        REQUIRE(n);
        if (*n == 0)
            break;
        out.restored.append(buf.data(), *n);
    }
    auto finished = co_await (*reader)->finish();
    REQUIRE(finished);
    out.children_while_reading = own_children();
    reader->reset();  // the key's home goes: gpgconf --kill gpg-agent
    co_return out;
}

/// Waits (at most `limit`) until this process has no children left.
bk::Task<bool> until_no_children(boost::asio::any_io_executor ex, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!own_children().empty()) {
        if (std::chrono::steady_clock::now() >= deadline)
            co_return false;
        boost::asio::steady_timer t(ex, std::chrono::milliseconds(20));
        co_await t.async_wait(boost::asio::use_awaitable);
    }
    co_return true;
}

}  // namespace

TEST_CASE("the gpg-agent of a decrypt is reaped under PID 1 (a subreaper here)",
          "[process][gpg][restic]") {
    bk::testing::TempDir work;
    bk::testing::make_gpg_key(work.path());
    REQUIRE(own_children().empty());

    REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
    struct Undo {
        ~Undo() { ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0); }
    } undo;
    REQUIRE(process::adopts_orphans());

    boost::asio::io_context ioc;
    // Reaping every 5 ms while restic and gpg run: their exit codes must still reach the code
    // that waits for them (commit and finish fail otherwise).
    process::OrphanReaper reaper(ioc.get_executor(), std::chrono::milliseconds(5));
    bk::domain::RepositoryConfig cfg;
    cfg.url = (work.path() / "repo").string();
    cfg.password = bk::domain::Secret("drill-password", "inline");
    cfg.init = true;
    bk::adapters::restic::ResticRepository repo(
        ioc.get_executor(), "drill", cfg, (work.path() / "state").string());
    std::string data;
    for (int i = 0; i < 20000; ++i)
        data += "INSERT INTO t VALUES (" + std::to_string(i) + ");\n";

    auto out =
        run_task(ioc, backup_and_restore(repo, work.path(), data), std::chrono::seconds(120));
    CHECK(out.restored == data);
    // The decrypt's agent was adopted by us (it is what PID 1 gets in the image).
    INFO("children after the decrypt: " << describe(out.children_while_reading));
    bool agent = false;
    for (const auto& c : out.children_while_reading)
        agent = agent || c.comm == "gpg-agent";
    CHECK(agent);

    // Killed at the end of its home's use, then reaped: nothing is left, not even a zombie.
    const bool gone =
        run_task(ioc, until_no_children(ioc.get_executor(), std::chrono::seconds(10)));
    INFO("children left: " << describe(own_children()));
    CHECK(gone);
}

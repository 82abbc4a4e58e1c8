#include "application/run_queue.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using bk::app::RunQueue;

namespace {
struct Job {
    std::string target;
    std::string trigger;
};

bool push(RunQueue<Job>& q,
          const std::string& target,
          const std::string& trigger = "schedule",
          bool drill = false) {
    return q.push(target, target + (drill ? " (drill)" : ""), Job{target, trigger});
}

std::string pop(RunQueue<Job>& q, const std::set<std::string>& running = {}) {
    auto j = q.pop(running);
    return j ? j->target : std::string("(none)");
}
}  // namespace

TEST_CASE("a target due again while it is queued is queued once", "[daemon][queue]") {
    RunQueue<Job> q;
    CHECK(push(q, "shop"));
    CHECK_FALSE(push(q, "shop", "event:start"));
    CHECK(push(q, "shop", "schedule", true));  // its drill is another kind of job
    CHECK(q.size() == 2);
    CHECK(q.contains("shop"));
    CHECK(q.contains("shop (drill)"));
}

TEST_CASE("a target never occupies two workers: its other job waits until its run ends",
          "[daemon][queue]") {
    RunQueue<Job> q;
    push(q, "shop");
    push(q, "shop", "schedule", true);
    push(q, "blog");
    std::set<std::string> running;
    const auto first = pop(q, running);
    CHECK(first == "shop");
    running.insert(first);
    q.started(first);
    // The second worker takes blog, not shop's drill.
    CHECK(pop(q, running) == "blog");
    running.insert("blog");
    CHECK(pop(q, running) == "(none)");
    running.erase("shop");
    CHECK(pop(q, running) == "shop");
    CHECK(q.empty());
}

TEST_CASE("targets that ran recently go behind the ones that have waited longest",
          "[daemon][queue]") {
    // A tenant's targets due every minute (min-interval 0s) are queued before the victim's daily
    // run: first in, first out would make the victim wait behind every one of them.
    RunQueue<Job> q;
    const std::vector<std::string> hostile{"t1", "t2", "t3", "t4"};
    for (const auto& t : hostile) {
        push(q, t);
    }
    std::set<std::string> running;
    // Two workers run t1 and t2; t3 and t4 stay queued.
    for (int i = 0; i < 2; ++i) {
        const auto t = pop(q, running);
        running.insert(t);
        q.started(t);
    }
    CHECK(running == std::set<std::string>{"t1", "t2"});
    // They end and are due again at once; then the victim's time comes.
    for (const auto& t : {"t1", "t2"}) {
        running.erase(t);
        push(q, t);
    }
    push(q, "victim");
    // Never ran: first. Then t3 and t4 (never ran either, queued before), then t1, t2.
    std::vector<std::string> order;
    bool again = true;
    while (!q.empty() && order.size() < 10) {
        const auto t = pop(q, running);
        q.started(t);
        order.push_back(t);
        if (t == "t3" && again) {
            push(q, "t3");  // due again (once) while the others still wait
            again = false;
        }
    }
    CHECK(order == std::vector<std::string>{"t3", "t4", "victim", "t1", "t2", "t3"});
}

TEST_CASE("a target that ran least recently goes first, whatever the order of queueing",
          "[daemon][queue]") {
    RunQueue<Job> q;
    for (const auto& t : {"a", "b", "c"}) {
        push(q, t);
        CHECK(pop(q) == t);
        q.started(t);
    }
    // Now queued in the opposite order of their last runs, plus one that never ran.
    push(q, "c");
    push(q, "b");
    push(q, "new");
    push(q, "a");
    std::vector<std::string> order;
    while (!q.empty() && order.size() < 10)
        order.push_back(pop(q));
    CHECK(order == std::vector<std::string>{"new", "a", "b", "c"});
}

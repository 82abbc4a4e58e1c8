// The async primitives that replace polling and detached spawns: a Signal wakes its waiters at
// once (no poll period), a TaskGroup owns its tasks (counted, cancelled through their slots,
// awaited).
#include "core/task_group.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/signal.hpp"
#include "support/run_task.hpp"

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using bk::Task;
using Micros = std::chrono::duration<double, std::micro>;

namespace {

Task<void> sleep_for(Clock::duration d) {
    asio::steady_timer t(co_await asio::this_coro::executor, d);
    co_await t.async_wait(asio::use_awaitable);
}

// Waits on `s` and records when it woke.
Task<void> wake_on(bk::Signal* s, Clock::time_point* woke) {
    co_await s->wait();
    *woke = Clock::now();
}

Task<void> notify_later(bk::Signal* s, Clock::duration d, Clock::time_point* notified) {
    co_await sleep_for(d);
    *notified = Clock::now();
    s->notify_all();
}

Task<void> both(bk::TaskGroup* g) {
    co_await g->wait();
}

Task<void> forever(int* ended) {
    try {
        co_await sleep_for(std::chrono::hours(1));
    } catch (...) {
        ++*ended;
        throw;
    }
}

Task<void> throws() {
    co_await sleep_for(std::chrono::milliseconds(1));
    throw std::runtime_error("boom");
}

Task<void> cancel_soon(bk::TaskGroup* g) {
    co_await sleep_for(std::chrono::milliseconds(10));
    g->cancel_all();
    co_await g->wait();
}

}  // namespace

TEST_CASE("a Signal wakes its waiters at once, with no poll period", "[async][signal]") {
    asio::io_context ioc;
    bk::Signal s;
    bk::TaskGroup g(ioc.get_executor());
    Clock::time_point a{}, b{}, notified{};
    g.spawn(wake_on(&s, &a));
    g.spawn(wake_on(&s, &b));
    g.spawn(notify_later(&s, std::chrono::milliseconds(30), &notified));
    bk::testing::run_task(ioc, both(&g), std::chrono::seconds(10));
    // The old loops polled every 5 ms (db_client, local files, restic) to 1 s (the daemon).
    const auto latency = std::max(a, b) - notified;
    INFO("wake latency " << Micros(latency).count() << " us");
    CHECK(latency < std::chrono::milliseconds(1));
    CHECK(s.waiters() == 0);
}

TEST_CASE("a Signal's wait_until ends at its deadline when nobody notifies", "[async][signal]") {
    asio::io_context ioc;
    bk::Signal s;
    auto waited = bk::testing::run_task(
        ioc, s.wait_until(Clock::now() + std::chrono::milliseconds(5)), std::chrono::seconds(5));
    CHECK_FALSE(waited);
    CHECK(s.waiters() == 0);
}

TEST_CASE("a TaskGroup counts its tasks and its wait() ends when the last has ended",
          "[async][taskgroup]") {
    asio::io_context ioc;
    std::vector<std::string> errors;
    bk::TaskGroup g(ioc.get_executor(), [&](const std::string& e) { errors.push_back(e); });
    int then_ran = 0;
    g.spawn(sleep_for(std::chrono::milliseconds(5)), [&] { ++then_ran; });
    g.spawn(sleep_for(std::chrono::milliseconds(15)), [&] { ++then_ran; });
    g.spawn(throws(), [&] { ++then_ran; });
    CHECK(g.size() == 3);
    bk::testing::run_task(ioc, both(&g), std::chrono::seconds(10));
    CHECK(g.size() == 0);
    CHECK(then_ran == 3);
    // An exception that leaves a task is reported, never lost.
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == "boom");
}

TEST_CASE("a TaskGroup's cancel_all() ends its tasks through their cancellation slots at once",
          "[async][taskgroup]") {
    asio::io_context ioc;
    std::vector<std::string> errors;
    bk::TaskGroup g(ioc.get_executor(), [&](const std::string& e) { errors.push_back(e); });
    int ended = 0;
    g.spawn(forever(&ended));
    g.spawn(forever(&ended));
    const auto start = Clock::now();
    bk::testing::run_task(ioc, cancel_soon(&g), std::chrono::seconds(10));
    CHECK(Clock::now() - start < std::chrono::seconds(1));
    CHECK(ended == 2);
    CHECK(g.size() == 0);
    CHECK(errors.empty());  // cut by cancel_all: not an error
}

TEST_CASE("a TaskGroup destroyed with tasks in flight cancels them, and nothing dangles",
          "[async][taskgroup]") {
    asio::io_context ioc;
    int ended = 0;
    {
        bk::TaskGroup g(ioc.get_executor());
        g.spawn(forever(&ended));
        ioc.poll();  // it runs up to its wait
    }
    ioc.restart();
    ioc.run_for(std::chrono::seconds(5));
    CHECK(ended == 1);
}

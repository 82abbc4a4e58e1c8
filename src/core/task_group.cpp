#include "core/task_group.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include <map>

#include "core/signal.hpp"

namespace bk {

namespace asio = boost::asio;

struct TaskGroup::State {
    struct Node {
        asio::cancellation_signal cancel;
        std::function<void()> then;
        bool ended{false};
    };
    asio::any_io_executor ex;
    OnError on_error;
    std::map<std::uint64_t, std::unique_ptr<Node>> nodes;
    std::uint64_t next{0};
    std::size_t running{0};
    bool cancelling{false};
    Signal idle;

    State(asio::any_io_executor e, OnError f) : ex(std::move(e)), on_error(std::move(f)) {}
};

namespace {

std::string describe(const std::exception_ptr& e, bool cancelling) {
    try {
        std::rethrow_exception(e);
    } catch (const boost::system::system_error& x) {
        if (cancelling && x.code() == asio::error::operation_aborted)
            return {};
        return x.what();
    } catch (const std::exception& x) {
        return x.what();
    } catch (...) {
        return "unknown exception";
    }
}

// The completion of one task: it reports, runs `then`, and frees the task's node once the
// spawn has let go of the node's cancellation slot (a posted step).
struct Ended {
    std::shared_ptr<TaskGroup::State> st;
    std::uint64_t id;

    void operator()(const std::exception_ptr& e) const {
        auto& node = *st->nodes.at(id);
        node.ended = true;
        --st->running;
        if (e) {
            auto what = describe(e, st->cancelling);
            if (!what.empty() && st->on_error)
                st->on_error(what);
        }
        auto then = std::move(node.then);
        if (then)
            then();
        asio::post(st->ex, Erase{st, id});
        if (st->running == 0)
            st->idle.notify_all();
    }

    struct Erase {
        std::shared_ptr<TaskGroup::State> st;
        std::uint64_t id;
        void operator()() const { st->nodes.erase(id); }
    };
};

}  // namespace

TaskGroup::TaskGroup(asio::any_io_executor ex, OnError on_error)
    : state_(std::make_shared<State>(std::move(ex), std::move(on_error))) {}

TaskGroup::~TaskGroup() {
    cancel_all();
}

void TaskGroup::spawn(Task<void> task, std::function<void()> then) {
    auto& st = *state_;
    const auto id = st.next++;
    auto& node = *st.nodes.emplace(id, std::make_unique<State::Node>()).first->second;
    node.then = std::move(then);
    ++st.running;
    asio::co_spawn(st.ex,
                   std::move(task),
                   asio::bind_cancellation_slot(node.cancel.slot(), Ended{state_, id}));
}

void TaskGroup::cancel_all() {
    auto& st = *state_;
    if (st.running == 0)
        return;
    st.cancelling = true;
    for (auto& [id, node] : st.nodes) {
        if (!node->ended)
            node->cancel.emit(asio::cancellation_type::terminal);
    }
}

Task<void> TaskGroup::wait() {
    auto st = state_;
    while (st->running > 0)
        co_await st->idle.wait();
}

Task<bool> TaskGroup::wait_until(std::chrono::steady_clock::time_point deadline) {
    auto st = state_;
    while (st->running > 0) {
        const bool woken = co_await st->idle.wait_until(deadline);  // (g++ 12: not in the if)
        if (!woken)
            co_return st->running == 0;
    }
    co_return true;
}

std::size_t TaskGroup::size() const {
    return state_->running;
}

}  // namespace bk

#pragma once
// Drives one coroutine to completion on an io_context, with a limit: a test whose task does not
// finish in time fails instead of hanging the suite. Other work on the context (a fake server)
// stops with the task.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <type_traits>

namespace bk::testing {

template <class T>
T run_task(boost::asio::io_context& ioc,
           boost::asio::awaitable<T> task,
           std::chrono::seconds limit = std::chrono::seconds(60)) {
    std::exception_ptr error;
    bool done = false;
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e) {
            error = e;
            done = true;
            ioc.stop();
        });
        ioc.restart();
        ioc.run_for(limit);
        if (!done) {
            throw std::runtime_error("the test's task did not finish within its time limit");
        }
        if (error) {
            std::rethrow_exception(error);
        }
    } else {
        std::optional<T> result;
        boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T value) {
            error = e;
            if (!e) {
                result.emplace(std::move(value));
            }
            done = true;
            ioc.stop();
        });
        ioc.restart();
        ioc.run_for(limit);
        if (!done) {
            throw std::runtime_error("the test's task did not finish within its time limit");
        }
        if (error) {
            std::rethrow_exception(error);
        }
        return std::move(*result);
    }
}

template <class T>
T run_task(boost::asio::awaitable<T> task, std::chrono::seconds limit = std::chrono::seconds(60)) {
    boost::asio::io_context ioc;
    return run_task(ioc, std::move(task), limit);
}

}  // namespace bk::testing

#include "adapters/process/local_files.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <filesystem>

#include "adapters/process/child_process.hpp"
#include "domain/telling_line.hpp"

namespace bk::adapters::process {
namespace {

namespace asio = boost::asio;

class TarLoad final : public domain::RestoreLoad {
public:
    TarLoad(asio::any_io_executor ex, ChildProcess tar) : ex_(ex), tar_(std::move(tar)) {
        auto err = err_;
        auto done = done_;
        asio::co_spawn(
            ex_, tar_.read_stderr_tail(4096), [err, done](std::exception_ptr, std::string v) {
                *err = std::move(v);
                *done = true;
            });
    }
    Task<Result<void>> write(std::span<const char> data) override {
        auto r = co_await tar_.write_stdin(data);
        if (!r) {
            co_return Failure{errc::restore_failed, "tar stopped taking data"};
        }
        co_return Result<void>{};
    }
    Task<Result<void>> finish() override {
        tar_.close_stdin();
        const int rc = co_await tar_.wait();
        while (!*done_) {
            asio::steady_timer t(ex_, std::chrono::milliseconds(5));
            co_await t.async_wait(asio::use_awaitable);
        }
        if (rc != 0) {
            co_return Failure{
                errc::restore_failed,
                "tar -x exited " + std::to_string(rc) + ": " + domain::last_line(*err_)};
        }
        co_return Result<void>{};
    }
    Task<void> abort() override {
        tar_.signal(SIGKILL);
        tar_.close_stdin();
        co_await tar_.wait();
    }

private:
    asio::any_io_executor ex_;
    ChildProcess tar_;
    std::shared_ptr<std::string> err_ = std::make_shared<std::string>();
    std::shared_ptr<bool> done_ = std::make_shared<bool>(false);
};

}  // namespace

Task<Result<std::unique_ptr<domain::RestoreLoad>>> TarLocalFiles::open_extract(
    std::string directory) {
    std::error_code ec;
    std::filesystem::create_directories(directory, ec);
    if (ec) {
        co_return Failure{errc::io_error, "cannot create " + directory + ": " + ec.message()};
    }
    SpawnOptions o;
    o.argv = {"tar", "-x", "-f", "-", "-C", directory};
    o.env = minimal_environment();
    o.pipe_stdout = false;
    auto tar = ChildProcess::spawn(ex_, std::move(o));
    if (!tar) {
        co_return tar.error();
    }
    co_return std::unique_ptr<domain::RestoreLoad>(std::make_unique<TarLoad>(ex_, std::move(*tar)));
}

}  // namespace bk::adapters::process

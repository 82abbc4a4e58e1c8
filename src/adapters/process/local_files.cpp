#include "adapters/process/local_files.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <csignal>
#include <filesystem>

#include "adapters/process/child_process.hpp"
#include "core/signal.hpp"
#include "domain/telling_line.hpp"

namespace bk::adapters::process {
namespace {

namespace asio = boost::asio;

class TarLoad final : public domain::RestoreLoad {
public:
    TarLoad(asio::any_io_executor ex, ChildProcess tar) : ex_(ex), tar_(std::move(tar)) {
        asio::co_spawn(ex_, tar_.read_stderr_tail(4096), StderrRead{stderr_});
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
        while (!stderr_->done)
            co_await stderr_->ended.wait();  // woken by the reader's end, no poll period
        if (rc != 0) {
            co_return Failure{
                errc::restore_failed,
                "tar -x exited " + std::to_string(rc) + ": " + domain::last_line(stderr_->text)};
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
    // tar's stderr, read beside the load; finish() awaits its end.
    struct Stderr {
        std::string text;
        bool done{false};
        Signal ended;
    };
    struct StderrRead {
        std::shared_ptr<Stderr> s;
        void operator()(const std::exception_ptr&, std::string v) const {
            s->text = std::move(v);
            s->done = true;
            s->ended.notify_all();
        }
    };
    std::shared_ptr<Stderr> stderr_ = std::make_shared<Stderr>();
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

// Attach throughput of dockerapi: a container writes N bytes of zeros to stdout
// (LogConfig none); the client attaches, waits, starts and reads everything, discarding it.
// Prints bytes, seconds from start to EOF, MiB/s, and the process's peak RSS.
//   bk_bench_attach <image> [bytes=2147483648]
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "dockerapi/client.hpp"
#include <sys/resource.h>

namespace {

class DiscardSink final : public dockerapi::StreamSink {
public:
    std::uint64_t bytes{0};
    dockerapi::Task<std::error_code> write(dockerapi::StreamKind kind,
                                           std::span<const char> data) override {
        if (kind == dockerapi::StreamKind::stdout_stream) {
            bytes += data.size();
        }
        co_return std::error_code{};
    }
};

double peak_rss_mib() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss) / 1024.0;
}

dockerapi::Task<int> bench(std::string image, std::string bytes) {
    auto address = dockerapi::docker_host_from_env();
    if (!address) {
        std::fprintf(stderr, "%s\n", address.error().describe().c_str());
        co_return 1;
    }
    auto executor = co_await boost::asio::this_coro::executor;
    dockerapi::Client c(executor, dockerapi::ClientOptions{*address});
    dockerapi::ContainerSpec spec;
    spec.image = image;
    spec.cmd = {"head", "-c", bytes, "/dev/zero"};
    spec.labels = {{"bk.test", "bench"}};
    auto created = co_await c.create_container(spec, "");
    if (!created) {
        std::fprintf(stderr, "create: %s\n", created.error().describe().c_str());
        co_return 1;
    }
    auto attach = co_await c.attach_container(created->id, false);
    auto wait = co_await c.wait_container(created->id, dockerapi::WaitCondition::next_exit);
    if (!attach || !wait) {
        std::fprintf(stderr, "attach/wait failed\n");
        co_return 1;
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto started = co_await c.start_container(created->id);
    DiscardSink sink;
    auto totals = co_await attach->pump(sink);
    const auto t1 = std::chrono::steady_clock::now();
    auto status = co_await wait->result();
    co_await c.remove_container(created->id, true, true);
    if (!started || !totals || !status || status->status_code != 0) {
        std::fprintf(stderr, "the run failed\n");
        co_return 1;
    }
    const double secs = std::chrono::duration<double>(t1 - t0).count();
    std::printf("dockerapi attach: %llu bytes in %.2f s = %.0f MiB/s, peak RSS %.1f MiB\n",
                static_cast<unsigned long long>(sink.bytes),
                secs,
                static_cast<double>(sink.bytes) / secs / 1048576.0,
                peak_rss_mib());
    co_return sink.bytes == std::stoull(bytes) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <image> [bytes]\n", argv[0]);
        return 2;
    }
    boost::asio::io_context ioc;
    auto done = boost::asio::co_spawn(
        ioc, bench(argv[1], argc > 2 ? argv[2] : "2147483648"), boost::asio::use_future);
    ioc.run();
    return done.get();
}

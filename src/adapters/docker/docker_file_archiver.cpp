#include "adapters/docker/docker_file_archiver.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <algorithm>
#include <variant>

#include "adapters/docker/docker_target_source.hpp"
#include "adapters/docker/stream_watchdog.hpp"
#include "dockerapi/client.hpp"

namespace bk::adapters::docker {
namespace {

// "/var/lib/data" -> "var-lib-data": one stable file name per path.
std::string slug(const std::string& path) {
    std::string out;
    for (char c : path) {
        const bool keep = std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_';
        out += keep ? c : '-';
    }
    while (!out.empty() && out.front() == '-')
        out.erase(0, 1);
    return out.empty() ? "root" : out;
}

class ForwardSink final : public dockerapi::ByteSink {
public:
    explicit ForwardSink(domain::ByteSink& out) : out_(out) {}
    std::string error;
    std::shared_ptr<StreamActivity> activity{std::make_shared<StreamActivity>()};
    dockerapi::Task<std::error_code> write(std::span<const char> data) override {
        activity->begin();
        auto r = co_await out_.write(data);
        activity->end();
        if (!r) {
            error = r.error().message;
            co_return std::make_error_code(std::errc::broken_pipe);
        }
        co_return std::error_code{};
    }

private:
    domain::ByteSink& out_;
};

}  // namespace

Task<Result<std::vector<domain::FileItem>>> DockerFileArchiver::plan_files(
    const domain::Target& t) {
    std::vector<domain::FileItem> items;
    if (t.volumes.empty()) {
        co_return items;
    }
    auto inspect = co_await client_.inspect_container(t.container_id);
    if (!inspect) {
        co_return to_failure(inspect.error());
    }
    std::vector<std::string> paths;
    for (const auto& want : t.volumes) {
        for (const auto& m : inspect->mounts) {
            if (want == "*" || want == m.name || want == m.destination) {
                paths.push_back(m.destination);
            }
        }
    }
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    if (paths.empty()) {
        co_return Failure{errc::not_found, "none of " + t.name + "'s volumes is mounted now"};
    }
    for (const auto& p : paths) {
        items.push_back({p, t.name + "/files/" + slug(p) + ".tar"});
    }
    co_return items;
}

Task<Result<std::uint64_t>> DockerFileArchiver::stream(const domain::Target& t,
                                                       const domain::FileItem& item,
                                                       domain::ByteSink& sink,
                                                       domain::StreamLimits limits) {
    // NOLINTNEXTLINE(google-build-using-namespace): the namespace of the operators || and &&
    using namespace boost::asio::experimental::awaitable_operators;
    ForwardSink forward(sink);
    auto raced = co_await (client_.get_archive(t.container_id, item.path, forward) ||
                           watchdog(limits, forward.activity));
    if (raced.index() == 1) {
        co_return Failure{
            errc::timeout,
            "archive of " + item.path + ": " + describe(std::get<1>(raced), limits, "data")};
    }
    auto& got = std::get<0>(raced);
    if (!got) {
        co_return Failure{errc::io_error,
                          forward.error.empty()
                              ? "archive of " + item.path + ": " + got.error().describe()
                              : "storing the archive of " + item.path + ": " + forward.error};
    }
    co_return *got;
}

Task<Result<bool>> DockerFileArchiver::stop(const domain::Target& t) {
    auto inspect = co_await client_.inspect_container(t.container_id);
    if (!inspect) {
        co_return to_failure(inspect.error());
    }
    if (!inspect->state.running) {
        co_return false;
    }
    auto stopped = co_await client_.stop_container(t.container_id, std::chrono::seconds(30));
    if (!stopped) {
        co_return to_failure(stopped.error());
    }
    co_return true;
}

Task<Result<void>> DockerFileArchiver::start(const domain::Target& t) {
    auto started = co_await client_.start_container(t.container_id);
    if (!started && started.error().code != dockerapi::errc::not_modified) {
        co_return to_failure(started.error());
    }
    co_return Result<void>{};
}

}  // namespace bk::adapters::docker

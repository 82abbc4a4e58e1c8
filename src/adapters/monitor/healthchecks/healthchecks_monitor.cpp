#include "adapters/monitor/healthchecks/healthchecks_monitor.hpp"

#include "adapters/notify/http/http_client.hpp"

namespace bk::adapters::monitor {

using notify::setting;

HealthchecksMonitor::HealthchecksMonitor(boost::asio::any_io_executor ex,
                                         const domain::MonitorConfig& config,
                                         std::string ping_url)
    : ex_(std::move(ex)), config_(config), ping_url_(std::move(ping_url)) {}

Result<std::unique_ptr<HealthchecksMonitor>> HealthchecksMonitor::create(
    boost::asio::any_io_executor ex, const domain::MonitorConfig& config) {
    std::string url = setting(config, "ping_url");
    if (url.empty())
        url = setting(config, "url");
    if (url.empty())
        return Failure{errc::invalid_config, "a healthchecks monitor needs ping_url"};
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    return std::unique_ptr<HealthchecksMonitor>(
        new HealthchecksMonitor(std::move(ex), config, url));
}

Task<Result<void>> HealthchecksMonitor::ping(const std::string& suffix, std::string body) {
    notify::HttpRequest r;
    r.method = "POST";
    r.url = ping_url_ + suffix;
    r.body = std::move(body);
    r.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
    r.timeout = notify::timeout_setting(setting(config_, "timeout"));
    r.ca_file = setting(config_, "ca_file");
    co_return co_await notify::http_expect_2xx(ex_, std::move(r));
}

Task<Result<void>> HealthchecksMonitor::started() {
    co_return co_await ping("/start", "");
}

Task<Result<void>> HealthchecksMonitor::finished(bool ok,
                                                 std::string message,
                                                 std::int64_t millis) {
    (void)millis;  // healthchecks measures it from /start
    co_return co_await ping(ok ? "" : "/fail", std::move(message));
}

Task<Result<void>> HealthchecksMonitor::alive(std::string message) {
    co_return co_await ping("", std::move(message));
}

}  // namespace bk::adapters::monitor

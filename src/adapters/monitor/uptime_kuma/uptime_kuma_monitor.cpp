#include "adapters/monitor/uptime_kuma/uptime_kuma_monitor.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <cstdlib>

#include "adapters/notify/http/http_client.hpp"

namespace bk::adapters::monitor {

using notify::setting;

std::string kuma_push_url(const std::string& push_base,
                          bool up,
                          const std::string& msg,
                          std::int64_t ping_ms) {
    auto parsed = boost::urls::parse_uri(push_base);
    if (!parsed)
        return push_base;  // the request says why (without quoting it)
    boost::urls::url url(*parsed);
    if (url.has_query() && url.encoded_query().empty())
        url.remove_query();
    // Values encoded beyond what a query needs (':' and '/' too), as Kuma's examples are.
    const std::string status = up ? "up" : "down";
    // Kuma keeps the message with the beat; long ones make long URLs: 200 characters at most.
    const std::string text = notify::query_encode(msg.substr(0, 200));
    const std::string ping = ping_ms >= 0 ? std::to_string(ping_ms) : std::string{};
    auto params = url.encoded_params();
    params.append({"status", status});
    params.append({"msg", text});
    params.append({"ping", ping});
    return std::string(url.buffer());
}

UptimeKumaMonitor::UptimeKumaMonitor(boost::asio::any_io_executor ex,
                                     const domain::MonitorConfig& config,
                                     std::string push_base)
    : ex_(std::move(ex)), config_(config), push_base_(std::move(push_base)) {}

Result<std::unique_ptr<UptimeKumaMonitor>> UptimeKumaMonitor::create(
    boost::asio::any_io_executor ex, const domain::MonitorConfig& config) {
    std::string base = setting(config, "url");
    if (base.empty()) {
        auto root = setting(config, "base_url");
        if (root.empty()) {
            // The original backupctl's setting, for configs of its `projects:` shape.
            if (const char* env = std::getenv("UPTIME_KUMA_BASE_URL"))
                root = env;
        }
        const auto token = setting(config, "push_token");
        if (root.empty() || token.empty()) {
            return Failure{errc::invalid_config,
                           "an uptime-kuma monitor needs url (the push URL), or base_url (or "
                           "$UPTIME_KUMA_BASE_URL) and push_token"};
        }
        while (!root.empty() && root.back() == '/')
            root.pop_back();
        base = root + "/api/push/" + token;
    }
    return std::unique_ptr<UptimeKumaMonitor>(new UptimeKumaMonitor(std::move(ex), config, base));
}

Task<Result<void>> UptimeKumaMonitor::push(bool up, const std::string& msg, std::int64_t ping) {
    notify::HttpRequest r;
    r.method = "GET";
    r.url = kuma_push_url(push_base_, up, msg, ping);
    r.timeout = notify::timeout_setting(setting(config_, "timeout"));
    r.ca_file = setting(config_, "ca_file");
    co_return co_await notify::http_expect_2xx(ex_, std::move(r));
}

Task<Result<void>> UptimeKumaMonitor::started() {
    co_return Result<void>{};
}

Task<Result<void>> UptimeKumaMonitor::finished(bool ok, std::string message, std::int64_t millis) {
    co_return co_await push(ok, message, millis);
}

Task<Result<void>> UptimeKumaMonitor::alive(std::string message) {
    co_return co_await push(true, message, -1);
}

}  // namespace bk::adapters::monitor

#include "adapters/notify/slack/slack_notifier.hpp"

#include <nlohmann/json.hpp>

#include "adapters/notify/http/http_client.hpp"
#include "domain/human.hpp"

namespace bk::adapters::notify {

namespace {
// Slack's mrkdwn wants &, < and > escaped.
std::string esc(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}
}  // namespace

std::string slack_payload(const domain::Alert& a) {
    const bool bad = a.kind == "failure" || a.kind == "overdue" || a.kind == "drill_failed" ||
                     a.kind == "check_failed";
    const bool warning = a.kind == "drill_empty";  // it worked, and proved nothing
    std::string text = std::string(bad       ? ":red_circle: "
                                   : warning ? ":warning: "
                                             : ":large_green_circle: ") +
                       "*" + esc(domain::alert_title(a)) + "*\n";
    auto field = [&text](const char* name, const std::string& v) {
        if (!v.empty())
            text += "*" + std::string(name) + ":* " + esc(v) + "\n";
    };
    if (a.kind != "summary") {
        field("Target", a.target);
        field("Status", a.status);
        if (a.seconds > 0) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%.1f s", a.seconds);
            field("Duration", buf);
        }
        if (a.bytes > 0)
            field("Size", domain::human_bytes(a.bytes));
        std::string snaps;
        for (const auto& s : a.snapshots)
            snaps += (snaps.empty() ? "" : ", ") + s;
        field("Snapshots", snaps);
        field("Run", a.run_id);
        field("Last success", a.last_success);
        field("Failed at", a.error_stage);
    }
    if (!a.details.empty())
        text += esc(a.details);
    if (!a.error.empty())
        text += "```" + esc(a.error) + "```\n";
    nlohmann::json j{{"text", text}};
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

SlackNotifier::SlackNotifier(boost::asio::any_io_executor ex, const domain::NotifierConfig& config)
    : ex_(std::move(ex)), config_(config) {}

Result<std::unique_ptr<SlackNotifier>> SlackNotifier::create(boost::asio::any_io_executor ex,
                                                             const domain::NotifierConfig& config) {
    if (setting(config, "webhook_url").empty() && setting(config, "url").empty()) {
        return Failure{errc::invalid_config,
                       "a slack notifier needs webhook_url (or webhook_url_file)"};
    }
    return std::unique_ptr<SlackNotifier>(new SlackNotifier(std::move(ex), config));
}

Task<Result<void>> SlackNotifier::send(const domain::Alert& alert) {
    HttpRequest r;
    r.url = setting(config_, "webhook_url");
    if (r.url.empty())
        r.url = setting(config_, "url");
    r.body = slack_payload(alert);
    r.headers = {{"Content-Type", "application/json"}};
    r.timeout = timeout_setting(setting(config_, "timeout"));
    r.ca_file = setting(config_, "ca_file");
    co_return co_await http_expect_2xx(ex_, std::move(r));
}

}  // namespace bk::adapters::notify

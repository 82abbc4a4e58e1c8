#include "adapters/notify/alert_adapters.hpp"

#include "adapters/monitor/healthchecks/healthchecks_monitor.hpp"
#include "adapters/monitor/uptime_kuma/uptime_kuma_monitor.hpp"
#include "adapters/notify/email/email_notifier.hpp"
#include "adapters/notify/slack/slack_notifier.hpp"
#include "adapters/notify/webhook/webhook_notifier.hpp"

namespace bk::adapters::notify {

namespace {
template <class T, class Map>
void keep(Result<std::unique_ptr<T>> made,
          Map& into,
          const std::string& kind,
          const std::string& name,
          std::vector<std::string>& problems) {
    if (made) {
        into[name] = std::move(*made);
    } else {
        problems.push_back(kind + " " + name + ": " + made.error().message);
    }
}
}  // namespace

AlertAdapters make_alert_adapters(boost::asio::any_io_executor ex,
                                  const domain::OperatorConfig& config) {
    AlertAdapters out;
    for (const auto& [name, c] : config.notifiers) {
        if (c.type == "slack") {
            keep(SlackNotifier::create(ex, c), out.notifiers, "notifier", name, out.problems);
        } else if (c.type == "webhook") {
            keep(WebhookNotifier::create(ex, c), out.notifiers, "notifier", name, out.problems);
        } else if (c.type == "email") {
            keep(EmailNotifier::create(ex, c), out.notifiers, "notifier", name, out.problems);
        } else {
            out.problems.push_back("notifier " + name + ": unknown type \"" + c.type + "\"");
        }
    }
    for (const auto& [name, c] : config.monitors) {
        if (c.type == "uptime-kuma") {
            keep(monitor::UptimeKumaMonitor::create(ex, c),
                 out.monitors,
                 "monitor",
                 name,
                 out.problems);
        } else if (c.type == "healthchecks") {
            keep(monitor::HealthchecksMonitor::create(ex, c),
                 out.monitors,
                 "monitor",
                 name,
                 out.problems);
        } else {
            out.problems.push_back("monitor " + name + ": unknown type \"" + c.type + "\"");
        }
    }
    return out;
}

}  // namespace bk::adapters::notify

#pragma once
// Builds the notifiers and monitors the config names (one adapter per type).

#include <boost/asio/any_io_executor.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "domain/operator_config.hpp"
#include "domain/ports/alerting.hpp"

namespace bk::adapters::notify {

struct AlertAdapters {
    std::map<std::string, std::unique_ptr<domain::Notifier>> notifiers;
    std::map<std::string, std::unique_ptr<domain::Monitor>> monitors;
    std::vector<std::string> problems;  ///< "notifier ops: a webhook notifier needs url"

    domain::Notifier* notifier(const std::string& name) const {
        auto it = notifiers.find(name);
        return it == notifiers.end() ? nullptr : it->second.get();
    }
    domain::Monitor* monitor(const std::string& name) const {
        auto it = monitors.find(name);
        return it == monitors.end() ? nullptr : it->second.get();
    }
};

/// The config must outlive what this returns (the adapters read their settings from it).
AlertAdapters make_alert_adapters(boost::asio::any_io_executor ex,
                                  const domain::OperatorConfig& config);

}  // namespace bk::adapters::notify

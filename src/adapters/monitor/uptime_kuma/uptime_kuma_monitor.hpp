#pragma once
// Uptime Kuma push monitor: GET <base_url>/api/push/<push_token>?status=up|down&msg=...&ping=<ms>
// after each run (and as the daemon's heartbeat). `url` may give the whole push URL instead.

#include <boost/asio/any_io_executor.hpp>

#include "domain/operator_config.hpp"
#include "domain/ports/alerting.hpp"

namespace bk::adapters::monitor {

/// The push URL for one report.
std::string kuma_push_url(const std::string& push_base,
                          bool up,
                          const std::string& msg,
                          std::int64_t ping_ms);

class UptimeKumaMonitor final : public domain::Monitor {
public:
    static Result<std::unique_ptr<UptimeKumaMonitor>> create(boost::asio::any_io_executor ex,
                                                             const domain::MonitorConfig& config);
    Task<Result<void>> started() override;
    Task<Result<void>> finished(bool ok, std::string message, std::int64_t millis) override;
    Task<Result<void>> alive(std::string message) override;

private:
    UptimeKumaMonitor(boost::asio::any_io_executor ex,
                      const domain::MonitorConfig& config,
                      std::string push_base);
    Task<Result<void>> push(bool up, const std::string& msg, std::int64_t ping);
    boost::asio::any_io_executor ex_;
    const domain::MonitorConfig& config_;
    std::string push_base_;  ///< ".../api/push/<token>" (a secret)
};

}  // namespace bk::adapters::monitor

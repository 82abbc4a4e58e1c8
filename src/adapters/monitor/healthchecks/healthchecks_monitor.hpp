#pragma once
// healthchecks.io-style pings: <ping_url>/start before a run, <ping_url> after a success,
// <ping_url>/fail after a failure (POST, the message as the body, which healthchecks shows), and
// <ping_url> as the daemon's heartbeat.

#include <boost/asio/any_io_executor.hpp>

#include "domain/operator_config.hpp"
#include "domain/ports/alerting.hpp"

namespace bk::adapters::monitor {

class HealthchecksMonitor final : public domain::Monitor {
public:
    static Result<std::unique_ptr<HealthchecksMonitor>> create(boost::asio::any_io_executor ex,
                                                               const domain::MonitorConfig& config);
    Task<Result<void>> started() override;
    Task<Result<void>> finished(bool ok, std::string message, std::int64_t millis) override;
    Task<Result<void>> alive(std::string message) override;

private:
    HealthchecksMonitor(boost::asio::any_io_executor ex,
                        const domain::MonitorConfig& config,
                        std::string ping_url);
    Task<Result<void>> ping(const std::string& suffix, std::string body);
    boost::asio::any_io_executor ex_;
    const domain::MonitorConfig& config_;
    std::string ping_url_;
};

}  // namespace bk::adapters::monitor

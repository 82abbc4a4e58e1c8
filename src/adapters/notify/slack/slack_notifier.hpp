#pragma once
// Slack incoming webhook: one readable message per alert (mrkdwn): the title, then target,
// status, duration, size, snapshots, where it failed and the error's tail.

#include <boost/asio/any_io_executor.hpp>

#include "domain/operator_config.hpp"
#include "domain/ports/alerting.hpp"

namespace bk::adapters::notify {

/// The JSON body Slack gets for `alert`.
std::string slack_payload(const domain::Alert& alert);

class SlackNotifier final : public domain::Notifier {
public:
    /// Errors: invalid_config when the config has no webhook_url (or url).
    static Result<std::unique_ptr<SlackNotifier>> create(boost::asio::any_io_executor ex,
                                                         const domain::NotifierConfig& config);
    Task<Result<void>> send(const domain::Alert& alert) override;

private:
    SlackNotifier(boost::asio::any_io_executor ex, const domain::NotifierConfig& config);
    boost::asio::any_io_executor ex_;
    const domain::NotifierConfig& config_;
};

}  // namespace bk::adapters::notify

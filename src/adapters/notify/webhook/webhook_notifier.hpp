#pragma once
// Generic webhook: a JSON POST per alert (the format is in docs/notifications.md), with the
// headers X-Backupctl-Event, X-Backupctl-Delivery (the alert id: the same on a re-send),
// X-Backupctl-Timestamp and, when a secret is set, X-Backupctl-Signature-256:
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <functional>

#include "domain/operator_config.hpp"
#include "domain/ports/alerting.hpp"

namespace bk::adapters::notify {

/// The JSON body of `alert` (version 1).
std::string webhook_payload(const domain::Alert& alert);
/// hex(HMAC-SHA256(secret, message)).
std::string hmac_sha256_hex(const std::string& secret, const std::string& message);

class WebhookNotifier final : public domain::Notifier {
public:
    using Clock = std::function<std::int64_t()>;
    static Result<std::unique_ptr<WebhookNotifier>> create(boost::asio::any_io_executor ex,
                                                           const domain::NotifierConfig& config,
                                                           Clock clock = {});
    Task<Result<void>> send(const domain::Alert& alert) override;

private:
    WebhookNotifier(boost::asio::any_io_executor ex,
                    const domain::NotifierConfig& config,
                    Clock clock);
    boost::asio::any_io_executor ex_;
    const domain::NotifierConfig& config_;
    Clock clock_;
};

}  // namespace bk::adapters::notify

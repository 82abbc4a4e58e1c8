#include "adapters/notify/webhook/webhook_notifier.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>

#include "adapters/notify/http/http_client.hpp"

namespace bk::adapters::notify {

std::string webhook_payload(const domain::Alert& a) {
    nlohmann::json j{{"version", 1},
                     {"id", a.id},
                     {"event", a.kind},
                     {"target", a.target},
                     {"status", a.status},
                     {"run_id", a.run_id},
                     {"trigger", a.trigger},
                     {"at", a.at},
                     {"duration_seconds", a.seconds},
                     {"bytes", a.bytes},
                     {"snapshots", a.snapshots},
                     {"last_success", a.last_success},
                     {"title", domain::alert_title(a)},
                     {"text", domain::alert_text(a)},
                     {"details", a.details}};
    if (a.error.empty() && a.error_stage.empty()) {
        j["error"] = nullptr;
    } else {
        j["error"] = {{"stage", a.error_stage}, {"message", a.error}};
    }
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string hmac_sha256_hex(const std::string& secret, const std::string& message) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(),
         secret.data(),
         static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(message.data()),
         message.size(),
         md,
         &len);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

WebhookNotifier::WebhookNotifier(boost::asio::any_io_executor ex,
                                 const domain::NotifierConfig& config,
                                 Clock clock)
    : ex_(std::move(ex)), config_(config), clock_(std::move(clock)) {
    if (!clock_) {
        clock_ = [] {
            return static_cast<std::int64_t>(
                std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count());
        };
    }
}

Result<std::unique_ptr<WebhookNotifier>> WebhookNotifier::create(
    boost::asio::any_io_executor ex, const domain::NotifierConfig& config, Clock clock) {
    if (setting(config, "url").empty()) {
        return Failure{errc::invalid_config, "a webhook notifier needs url (or url_file)"};
    }
    return std::unique_ptr<WebhookNotifier>(
        new WebhookNotifier(std::move(ex), config, std::move(clock)));
}

Task<Result<void>> WebhookNotifier::send(const domain::Alert& alert) {
    HttpRequest r;
    r.url = setting(config_, "url");
    r.body = webhook_payload(alert);
    const auto ts = std::to_string(clock_());
    r.headers = {{"Content-Type", "application/json"},
                 {"X-Backupctl-Event", alert.kind},
                 {"X-Backupctl-Delivery", alert.id},
                 {"X-Backupctl-Timestamp", ts}};
    if (const auto secret = setting(config_, "secret"); !secret.empty()) {
        r.headers.emplace_back("X-Backupctl-Signature-256",
                               "sha256=" + hmac_sha256_hex(secret, ts + "." + r.body));
    }
    r.timeout = timeout_setting(setting(config_, "timeout"));
    r.ca_file = setting(config_, "ca_file");
    co_return co_await http_expect_2xx(ex_, std::move(r));
}

}  // namespace bk::adapters::notify

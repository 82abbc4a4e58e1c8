#pragma once
// E-mail over SMTP: EHLO, STARTTLS (the server's certificate verified; on by default), AUTH
// PLAIN when a username is set (never over an unencrypted connection except to loopback),
// one plain-text message per alert to every address in `to`.

#include <boost/asio/any_io_executor.hpp>

#include "domain/operator_config.hpp"
#include "domain/ports/alerting.hpp"

namespace bk::adapters::notify {

/// The message (headers and body, CRLF lines, not yet dot-stuffed).
std::string email_message(const domain::Alert& alert,
                          const std::string& from,
                          const std::vector<std::string>& to,
                          const std::string& date);

class EmailNotifier final : public domain::Notifier {
public:
    static Result<std::unique_ptr<EmailNotifier>> create(boost::asio::any_io_executor ex,
                                                         const domain::NotifierConfig& config);
    Task<Result<void>> send(const domain::Alert& alert) override;

private:
    EmailNotifier(boost::asio::any_io_executor ex, const domain::NotifierConfig& config);
    boost::asio::any_io_executor ex_;
    const domain::NotifierConfig& config_;
};

}  // namespace bk::adapters::notify

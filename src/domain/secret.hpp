#pragma once
// A secret from the operator's config (a password, a token, a webhook URL). It says where it came
// from, never what it is, unless asked with reveal().

#include <string>

namespace bk::domain {

class Secret {
public:
    Secret() = default;
    Secret(std::string value, std::string origin)
        : value_(std::move(value)), origin_(std::move(origin)) {}

    [[nodiscard]] bool empty() const { return value_.empty(); }
    /// The value itself: only for the place that hands it to the tool that needs it.
    [[nodiscard]] const std::string& reveal() const { return value_; }
    /// Where it came from ("file /run/secrets/db", "inline", "${DB_PASSWORD}").
    [[nodiscard]] const std::string& origin() const { return origin_; }
    /// What logs, tables and JSON show.
    [[nodiscard]] std::string masked() const { return empty() ? "" : "***** (" + origin_ + ")"; }

private:
    std::string value_;
    std::string origin_;
};

}  // namespace bk::domain

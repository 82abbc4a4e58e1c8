// The e-mail message: a line break in a name must not end the Subject header (audit L2).
#include "adapters/notify/email/email_notifier.hpp"

#include <catch2/catch.hpp>

using namespace bk;  // NOLINT(google-build-using-namespace)

TEST_CASE("a line break in a name cannot add a header to the e-mail", "[email][security]") {
    domain::Alert a;
    a.id = "run-1";
    a.kind = "failure";
    a.target = "shop-db";
    a.status = "failed";
    a.error_stage = "dump shop\r\nContent-Type: text/html\r\n\r\n<h1>hi</h1>";
    const auto m = adapters::notify::email_message(
        a, "ops@example.com", {"a@example.com"}, "Thu, 26 Nov 2026 03:00:00 +0000");
    const auto head = m.substr(0, m.find("\r\n\r\n"));
    CHECK(head.find("\r\nContent-Type: text/html") == std::string::npos);
    auto subject = head.find("\r\nSubject: ");
    REQUIRE(subject != std::string::npos);
    const auto line = head.substr(subject + 2, head.find("\r\n", subject + 2) - subject - 2);
    CHECK(line ==
          "Subject: backupctl: shop-db backup FAILED at dump shop  Content-Type: text/html    "
          "<h1>hi</h1> (0.0 s)");
    std::size_t headers = 0;
    for (std::size_t at = 0; (at = head.find("\r\nContent-Type:", at)) != std::string::npos; ++at) {
        ++headers;
    }
    CHECK(headers == 1);
}

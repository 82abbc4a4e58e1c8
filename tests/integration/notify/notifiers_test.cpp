// Notifiers and monitors against real receivers on loopback: payloads, signatures, URL formats,
// timeouts, TLS verification, and an alert queued while its receiver was down that arrives
// exactly once after it came back, across a restart of the sender.
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>

#include "adapters/audit/sqlite_audit_log.hpp"
#include "adapters/monitor/healthchecks/healthchecks_monitor.hpp"
#include "adapters/monitor/uptime_kuma/uptime_kuma_monitor.hpp"
#include "adapters/notify/alert_adapters.hpp"
#include "adapters/notify/email/email_notifier.hpp"
#include "adapters/notify/file_alert_store.hpp"
#include "adapters/notify/http/http_client.hpp"
#include "adapters/notify/slack/slack_notifier.hpp"
#include "adapters/notify/webhook/webhook_notifier.hpp"
#include "application/alerting.hpp"
#include "support/bk_result_printing.hpp"
#include "support/fakes/fake_logger.hpp"
#include "support/receivers.hpp"
#include "support/run_task.hpp"
#include "support/test_env.hpp"

using namespace bk;
using bk::testing::Receiver;

namespace {

domain::Alert failed_alert() {
    app::RunReport r;
    r.run_id = "20261127T040000Z-abcdef";
    r.target = "shop-db";
    r.status = domain::RunStatus::failed;
    r.stage = "dump shop";
    r.error = "pg_dump exited 1";
    r.seconds = 12.5;
    app::ItemReport i;
    i.database = "shop";
    i.outcome = domain::StepOutcome::failed;
    i.error = "pg_dump: error: connection refused\n.a line that starts with a dot";
    r.items.push_back(i);
    return app::run_alert(r, "failure", "schedule", "2026-11-27T04:00:12.500Z");
}

domain::NotifierConfig notifier(const std::string& type,
                                std::map<std::string, std::string> secrets,
                                std::map<std::string, std::string> settings = {}) {
    domain::NotifierConfig c;
    c.type = type;
    for (auto& [k, v] : secrets)
        c.secrets[k] = domain::Secret(v, "test");
    c.settings = std::move(settings);
    return c;
}

std::string http_url(const Receiver& r, const std::string& path, bool tls = false) {
    return std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(r.port()) + path;
}

}  // namespace

TEST_CASE("webhook: the JSON payload and an HMAC-SHA256 signature a receiver can check",
          "[integration][notify]") {
    bk::testing::TempDir dir;
    Receiver rx("http_recorder.py", {}, dir.path(), "hook");
    auto cfg = notifier("webhook", {{"url", http_url(rx, "/hooks/backup")}, {"secret", "s3cret"}});
    boost::asio::io_context ioc;
    auto n = adapters::notify::WebhookNotifier::create(
        ioc.get_executor(), cfg, [] { return std::int64_t{1795000000}; });
    REQUIRE(n);
    const auto alert = failed_alert();
    auto sent = bk::testing::run_task(ioc, (*n)->send(alert));
    INFO((sent ? std::string("sent") : sent.error().message));
    REQUIRE(sent);
    const auto recs = rx.records();
    REQUIRE(recs.size() == 1);
    const auto& r = recs[0];
    CHECK(r["method"] == "POST");
    CHECK(r["path"] == "/hooks/backup");
    CHECK(r["headers"]["content-type"] == "application/json");
    CHECK(r["headers"]["x-backupctl-event"] == "failure");
    CHECK(r["headers"]["x-backupctl-delivery"] == alert.id);
    CHECK(r["headers"]["x-backupctl-timestamp"] == "1795000000");
    const auto body = nlohmann::json::parse(r["body"].get<std::string>());
    CHECK(body["version"] == 1);
    CHECK(body["event"] == "failure");
    CHECK(body["target"] == "shop-db");
    CHECK(body["status"] == "failed");
    CHECK(body["run_id"] == "20261127T040000Z-abcdef");
    CHECK(body["duration_seconds"] == 12.5);
    CHECK(body["error"]["stage"] == "dump shop");
    CHECK(body["error"]["message"].get<std::string>().find("connection refused") !=
          std::string::npos);
    // The signature, computed independently by the openssl CLI over "<timestamp>.<body>".
    const auto signed_file = dir.path() / "signed";
    std::ofstream(signed_file, std::ios::binary) << "1795000000." << r["body"].get<std::string>();
    const auto dgst =
        bk::testing::sh("openssl dgst -sha256 -hmac s3cret -r " + signed_file.string());
    REQUIRE(dgst.exit_code == 0);
    CHECK(r["headers"]["x-backupctl-signature-256"] == "sha256=" + dgst.out.substr(0, 64));
}

TEST_CASE("slack: one readable message with the target, status, stage and error tail",
          "[integration][notify]") {
    bk::testing::TempDir dir;
    Receiver rx("http_recorder.py", {}, dir.path(), "slack");
    auto cfg = notifier("slack", {{"webhook_url", http_url(rx, "/services/T0/B0/XYZ")}});
    boost::asio::io_context ioc;
    auto n = adapters::notify::SlackNotifier::create(ioc.get_executor(), cfg);
    REQUIRE(n);
    REQUIRE(bk::testing::run_task(ioc, (*n)->send(failed_alert())));
    const auto recs = rx.records();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]["path"] == "/services/T0/B0/XYZ");
    const auto text =
        nlohmann::json::parse(recs[0]["body"].get<std::string>())["text"].get<std::string>();
    CHECK(text.find("backupctl: shop-db backup FAILED at dump shop (12.5 s)") != std::string::npos);
    CHECK(text.find("*Target:* shop-db") != std::string::npos);
    CHECK(text.find("*Failed at:* dump shop") != std::string::npos);
    CHECK(text.find("```") != std::string::npos);
    CHECK(text.find("connection refused") != std::string::npos);
}

TEST_CASE("uptime kuma: the push URL carries status, message and ping", "[integration][monitor]") {
    bk::testing::TempDir dir;
    Receiver rx("http_recorder.py", {}, dir.path(), "kuma");
    domain::MonitorConfig cfg;
    cfg.type = "uptime-kuma";
    cfg.secrets["base_url"] = domain::Secret(http_url(rx, "/"), "test");
    cfg.secrets["push_token"] = domain::Secret("Tok3n", "test");
    boost::asio::io_context ioc;
    auto m = adapters::monitor::UptimeKumaMonitor::create(ioc.get_executor(), cfg);
    REQUIRE(m);
    REQUIRE(bk::testing::run_task(ioc, (*m)->started()));  // Kuma has no start: nothing sent
    REQUIRE(bk::testing::run_task(ioc, (*m)->finished(false, "shop-db failed & more", 1234)));
    REQUIRE(bk::testing::run_task(ioc, (*m)->finished(true, "ok", 87)));
    const auto recs = rx.records();
    REQUIRE(recs.size() == 2);
    CHECK(recs[0]["method"] == "GET");
    CHECK(recs[0]["path"] ==
          "/api/push/Tok3n?status=down&msg=shop-db%20failed%20%26%20more&ping=1234");
    CHECK(recs[1]["path"] == "/api/push/Tok3n?status=up&msg=ok&ping=87");
}

TEST_CASE("healthchecks: start, success and fail pings with the message as the body",
          "[integration][monitor]") {
    bk::testing::TempDir dir;
    Receiver rx("http_recorder.py", {}, dir.path(), "hc");
    domain::MonitorConfig cfg;
    cfg.type = "healthchecks";
    cfg.secrets["ping_url"] = domain::Secret(http_url(rx, "/ping/0f1e2d"), "test");
    boost::asio::io_context ioc;
    auto m = adapters::monitor::HealthchecksMonitor::create(ioc.get_executor(), cfg);
    REQUIRE(m);
    REQUIRE(bk::testing::run_task(ioc, (*m)->started()));
    REQUIRE(bk::testing::run_task(ioc, (*m)->finished(true, "all good", 10)));
    REQUIRE(bk::testing::run_task(ioc, (*m)->finished(false, "dump failed", 10)));
    const auto recs = rx.records();
    REQUIRE(recs.size() == 3);
    CHECK(recs[0]["path"] == "/ping/0f1e2d/start");
    CHECK(recs[1]["path"] == "/ping/0f1e2d");
    CHECK(recs[1]["body"] == "all good");
    CHECK(recs[2]["path"] == "/ping/0f1e2d/fail");
    CHECK(recs[2]["body"] == "dump failed");
}

TEST_CASE("a receiver that never answers costs the timeout, and an error status names no secret",
          "[integration][notify]") {
    bk::testing::TempDir dir;
    boost::asio::io_context ioc;
    {
        Receiver rx("http_recorder.py", {"--hang"}, dir.path(), "hang");
        auto cfg =
            notifier("webhook", {{"url", http_url(rx, "/secret-path-token")}}, {{"timeout", "1"}});
        auto n = adapters::notify::WebhookNotifier::create(ioc.get_executor(), cfg);
        REQUIRE(n);
        const auto t0 = std::chrono::steady_clock::now();
        auto sent = bk::testing::run_task(ioc, (*n)->send(failed_alert()));
        const auto took = std::chrono::steady_clock::now() - t0;
        REQUIRE_FALSE(sent);
        CHECK(sent.error().code == errc::timeout);
        CHECK(took >= std::chrono::milliseconds(900));
        CHECK(took < std::chrono::seconds(3));
        CHECK(sent.error().message.find("secret-path-token") == std::string::npos);
    }
    {
        Receiver rx("http_recorder.py", {"--status", "500"}, dir.path(), "err");
        auto cfg = notifier("webhook", {{"url", http_url(rx, "/secret-path-token")}});
        auto n = adapters::notify::WebhookNotifier::create(ioc.get_executor(), cfg);
        REQUIRE(n);
        auto sent = bk::testing::run_task(ioc, (*n)->send(failed_alert()));
        REQUIRE_FALSE(sent);
        CHECK(sent.error().message.find("HTTP 500 from http://127.0.0.1:" +
                                        std::to_string(rx.port())) == 0);
        CHECK(sent.error().message.find("secret-path-token") == std::string::npos);
    }
    {
        // Nobody listens: refused at once.
        auto cfg = notifier(
            "webhook",
            {{"url", "http://127.0.0.1:" + std::to_string(bk::testing::free_port()) + "/x"}});
        auto n = adapters::notify::WebhookNotifier::create(ioc.get_executor(), cfg);
        REQUIRE(n);
        auto sent = bk::testing::run_task(ioc, (*n)->send(failed_alert()));
        REQUIRE_FALSE(sent);
        CHECK(sent.error().code == errc::daemon_unavailable);
    }
}

TEST_CASE("TLS: an untrusted certificate is refused, the configured CA is trusted",
          "[integration][notify]") {
    bk::testing::TempDir dir;
    bk::testing::make_certificate(dir.path());
    const auto cert = (dir.path() / "cert.pem").string();
    Receiver rx("http_recorder.py",
                {"--cert", cert, "--key", (dir.path() / "key.pem").string()},
                dir.path(),
                "tls");
    boost::asio::io_context ioc;
    auto untrusted = notifier("webhook", {{"url", http_url(rx, "/h", true)}});
    auto n1 = adapters::notify::WebhookNotifier::create(ioc.get_executor(), untrusted);
    REQUIRE(n1);
    auto refused = bk::testing::run_task(ioc, (*n1)->send(failed_alert()));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("certificate verify failed") != std::string::npos);
    CHECK(rx.records().empty());

    auto trusted = notifier("webhook", {{"url", http_url(rx, "/h", true)}}, {{"ca_file", cert}});
    auto n2 = adapters::notify::WebhookNotifier::create(ioc.get_executor(), trusted);
    REQUIRE(n2);
    auto ok = bk::testing::run_task(ioc, (*n2)->send(failed_alert()));
    INFO((ok ? std::string() : ok.error().message));
    REQUIRE(ok);
    CHECK(rx.records().size() == 1);

    // The certificate names 127.0.0.1 and localhost, not this name: refused even with its CA.
    auto wrong_name = notifier("webhook",
                               {{"url", "https://127.0.0.2:" + std::to_string(rx.port()) + "/h"}},
                               {{"ca_file", cert}});
    auto n3 = adapters::notify::WebhookNotifier::create(ioc.get_executor(), wrong_name);
    REQUIRE(n3);
    auto mismatch = bk::testing::run_task(ioc, (*n3)->send(failed_alert()));
    CHECK_FALSE(mismatch);
}

TEST_CASE(
    "a receiver down for a while then back gets the queued alert exactly once, across a restart",
    "[integration][notify][outbox]") {
    bk::testing::TempDir dir;
    const int port = bk::testing::free_port();
    domain::OperatorConfig config;
    config.notifiers["hook"] =
        notifier("webhook",
                 {{"url", "http://127.0.0.1:" + std::to_string(port) + "/in"}},
                 {{"timeout", "2"}});
    auto audit = adapters::audit::SqliteAuditLog::open((dir.path() / "audit.db").string());
    REQUIRE(audit);
    std::int64_t now = 1'800'000'000;
    bk::testing::FakeLogger log;
    domain::Target target;
    target.name = "shop-db";
    target.notify = {"hook"};
    app::RunReport report;
    report.run_id = "run-1";
    report.target = "shop-db";
    report.status = domain::RunStatus::failed;
    report.stage = "dump shop";
    report.error = "pg_dump exited 1";
    const auto outbox = (dir.path() / "notify-outbox.json").string();
    boost::asio::io_context ioc;
    {
        adapters::notify::FileAlertStore store(outbox);
        auto adapters = adapters::notify::make_alert_adapters(ioc.get_executor(), config);
        app::Alerting alerting(
            config,
            [&](const std::string& n) { return adapters.notifier(n); },
            [](const std::string&) { return nullptr; },
            store,
            **audit,
            log,
            [&now] { return now; });
        bk::testing::run_task(ioc, alerting.finished(target, report, "schedule"));
        CHECK(store.pending() == 1);
        // The same alert again (a replay): still one waiting.
        bk::testing::run_task(ioc, alerting.finished(target, report, "schedule"));
        CHECK(store.pending() == 1);
        now += 31;  // due, but the receiver is still down: attempt 2, next in 60 s
        CHECK(bk::testing::run_task(ioc, alerting.retry_due()) == 0);
        auto q = store.queued();
        REQUIRE(q);
        REQUIRE(q->size() == 1);
        CHECK(q->front().attempts == 2);
        CHECK(q->front().next_at == now + 60);
    }
    // A restart: new objects over the same state directory; the receiver comes back.
    Receiver rx("http_recorder.py", {"--port", std::to_string(port)}, dir.path(), "back");
    adapters::notify::FileAlertStore store(outbox);
    auto adapters = adapters::notify::make_alert_adapters(ioc.get_executor(), config);
    app::Alerting alerting(
        config,
        [&](const std::string& n) { return adapters.notifier(n); },
        [](const std::string&) { return nullptr; },
        store,
        **audit,
        log,
        [&now] { return now; });
    now += 30;  // not due yet
    CHECK(bk::testing::run_task(ioc, alerting.retry_due()) == 0);
    CHECK(rx.records().empty());
    now += 31;
    CHECK(bk::testing::run_task(ioc, alerting.retry_due()) == 1);
    now += 7200;
    CHECK(bk::testing::run_task(ioc, alerting.retry_due()) == 0);
    const auto recs = rx.records();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]["headers"]["x-backupctl-delivery"] == "failure:shop-db:run-1");
    CHECK(store.pending() == 0);
}

TEST_CASE("email: STARTTLS, AUTH, every recipient, a dot line survives",
          "[integration][notify][email]") {
    bk::testing::TempDir dir;
    bk::testing::make_certificate(dir.path());
    const auto cert = (dir.path() / "cert.pem").string();
    Receiver sink("smtp_sink.py",
                  {"--cert",
                   cert,
                   "--key",
                   (dir.path() / "key.pem").string(),
                   "--user",
                   "ops",
                   "--password",
                   "mail-pass"},
                  dir.path(),
                  "smtp");
    boost::asio::io_context ioc;
    auto cfg = notifier("email",
                        {{"password", "mail-pass"}},
                        {{"host", "127.0.0.1"},
                         {"port", std::to_string(sink.port())},
                         {"username", "ops"},
                         {"from", "backupctl <backup@example.test>"},
                         {"to", "a@example.test, b@example.test"},
                         {"ca_file", cert}});
    auto n = adapters::notify::EmailNotifier::create(ioc.get_executor(), cfg);
    REQUIRE(n);
    auto sent = bk::testing::run_task(ioc, (*n)->send(failed_alert()));
    INFO((sent ? std::string() : sent.error().message));
    REQUIRE(sent);
    const auto recs = sink.records();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0]["tls"] == true);
    CHECK(recs[0]["auth"] == true);
    CHECK(recs[0]["from"] == "backup@example.test");
    CHECK(recs[0]["to"] == nlohmann::json::array({"a@example.test", "b@example.test"}));
    const auto data = recs[0]["data"].get<std::string>();
    CHECK(data.find("Subject: backupctl: shop-db backup FAILED at dump shop (12.5 s)") !=
          std::string::npos);
    CHECK(data.find("X-Backupctl-Delivery: failure:shop-db:20261127T040000Z-abcdef") !=
          std::string::npos);
    CHECK(data.find("\n.a line that starts with a dot") != std::string::npos);

    // A wrong password is refused, and so is a session without STARTTLS.
    auto wrong = notifier("email",
                          {{"password", "nope"}},
                          {{"host", "127.0.0.1"},
                           {"port", std::to_string(sink.port())},
                           {"username", "ops"},
                           {"from", "b@example.test"},
                           {"to", "a@example.test"},
                           {"ca_file", cert}});
    auto n2 = adapters::notify::EmailNotifier::create(ioc.get_executor(), wrong);
    REQUIRE(n2);
    auto refused = bk::testing::run_task(ioc, (*n2)->send(failed_alert()));
    REQUIRE_FALSE(refused);
    INFO(refused.error().message);
    CHECK(refused.error().message.find("AUTH PLAIN (user ops)") != std::string::npos);
    CHECK(refused.error().message.find("nope") == std::string::npos);
    auto plain = notifier("email",
                          {},
                          {{"host", "127.0.0.1"},
                           {"port", std::to_string(sink.port())},
                           {"from", "b@example.test"},
                           {"to", "a@example.test"},
                           {"starttls", "false"}});
    auto n3 = adapters::notify::EmailNotifier::create(ioc.get_executor(), plain);
    REQUIRE(n3);
    CHECK_FALSE(bk::testing::run_task(ioc, (*n3)->send(failed_alert())));
    CHECK(sink.records().size() == 1);
}

TEST_CASE("URLs: what messages show of them, and query values encoded", "[integration][notify]") {
    using adapters::notify::url_origin;
    CHECK(url_origin("https://hooks.slack.com/services/T0/B0/secret") == "https://hooks.slack.com");
    CHECK(url_origin("http://127.0.0.1:8080/api/push/token?x=1") == "http://127.0.0.1:8080");
    CHECK(url_origin("http://[::1]:9000/x") == "http://[::1]:9000");
    CHECK(url_origin("https://user:pass@example.com/") == "(a bad URL)");
    CHECK(url_origin("ftp://example.com/") == "(a bad URL)");
    CHECK(adapters::notify::query_encode("a b&c=d/é") == "a%20b%26c%3Dd%2F%C3%A9");
}

TEST_CASE("URLs are parsed by RFC 3986, not by hand", "[integration][notify]") {
    using adapters::notify::url_origin;
    // A scheme is case-insensitive; a port beyond 16 bits, a space in the host and an IPv6
    // address without its bracket are no URL.
    CHECK(url_origin("HTTPS://hooks.slack.com/services/x") == "https://hooks.slack.com");
    CHECK(url_origin("http://example.com:99999/") == "(a bad URL)");
    CHECK(url_origin("http://exa mple.com/") == "(a bad URL)");
    CHECK(url_origin("http://[::1/") == "(a bad URL)");
    CHECK(url_origin("http://example.com:8080") == "http://example.com:8080");

    using adapters::monitor::kuma_push_url;
    CHECK(kuma_push_url("http://k/api/push/t", true, "a:b", 5) ==
          "http://k/api/push/t?status=up&msg=a%3Ab&ping=5");
    CHECK(kuma_push_url("http://k/api/push/t?", false, "x", -1) ==
          "http://k/api/push/t?status=down&msg=x&ping=");
    CHECK(kuma_push_url("http://k/api/push/t?a=1", true, "x", 1) ==
          "http://k/api/push/t?a=1&status=up&msg=x&ping=1");
    // The query goes before a fragment, never after it (where the server would never see it).
    CHECK(kuma_push_url("http://k/api/push/t#top", true, "x", 1) ==
          "http://k/api/push/t?status=up&msg=x&ping=1#top");
}

TEST_CASE("backupctl notify test: delivered says so, a dead receiver fails with exit 1",
          "[integration][notify]") {
    bk::testing::TempDir dir;
    Receiver rx("http_recorder.py", {}, dir.path(), "cli");
    const auto cfg = dir.path() / "config.yml";
    std::ofstream(cfg) << "state_dir: " << (dir.path() / "state").string() << "\n"
                       << "notifiers:\n  up: {type: webhook, url: \"" << http_url(rx, "/t")
                       << "\"}\n"
                       << "  down: {type: webhook, url: \"http://127.0.0.1:"
                       << bk::testing::free_port() << "/t\", timeout: \"2\"}\n"
                       << "monitors:\n  kuma: {type: uptime-kuma, url: \""
                       << http_url(rx, "/api/push/tk") << "\"}\n";
    const std::string bk =
        std::string(BK_BACKUPCTL) + " --config " + cfg.string() + " notify test ";
    auto ok = bk::testing::sh(bk + "up 2>&1");
    INFO(ok.out);
    CHECK(ok.exit_code == 0);
    CHECK(ok.out.find("test alert to notifier up: delivered in ") == 0);
    auto ping = bk::testing::sh(bk + "kuma 2>&1");
    CHECK(ping.exit_code == 0);
    auto down = bk::testing::sh(bk + "down 2>&1");
    CHECK(down.exit_code == 1);
    CHECK(down.out.find("FAILED") != std::string::npos);
    CHECK(bk::testing::sh(bk + "nobody 2>&1").exit_code == 1);
    const auto recs = rx.records();
    REQUIRE(recs.size() == 2);
    CHECK(nlohmann::json::parse(recs[0]["body"].get<std::string>())["event"] == "test");
    CHECK(recs[1]["path"].get<std::string>().rfind(
              "/api/push/tk?status=up&msg=backupctl%20notify%20test", 0) == 0);
    // Nothing was queued: a test is not an alert.
    CHECK_FALSE(std::filesystem::exists(dir.path() / "state" / "notify-outbox.json"));
}

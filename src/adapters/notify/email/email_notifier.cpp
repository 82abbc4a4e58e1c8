#include "adapters/notify/email/email_notifier.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <cctype>
#include <ctime>
#include <optional>
#include <tuple>

#include "adapters/notify/http/http_client.hpp"

namespace bk::adapters::notify {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;

namespace {

constexpr auto kUse = asio::as_tuple(asio::use_awaitable);

std::vector<std::string> split_addresses(const std::string& s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s + ",") {
        if (c == ',' || c == ';') {
            while (!cur.empty() && cur.front() == ' ')
                cur.erase(0, 1);
            while (!cur.empty() && cur.back() == ' ')
                cur.pop_back();
            if (!cur.empty())
                out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    return out;
}

// "Name <a@b>" -> "a@b"
std::string bare_address(const std::string& s) {
    const auto lt = s.find('<');
    const auto gt = s.find('>', lt == std::string::npos ? 0 : lt);
    if (lt != std::string::npos && gt != std::string::npos)
        return s.substr(lt + 1, gt - lt - 1);
    return s;
}

std::string base64(const std::string& in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(in.data()),
                                  static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

bool is_loopback(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string rfc5322_date() {
    const auto t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

struct Reply {
    int code{0};
    std::string text;
};

// One SMTP session over a stream that can change from plain to TLS half way.
class Session {
public:
    Session(asio::any_io_executor ex, std::string origin, std::chrono::milliseconds timeout)
        : tcp_(ex), origin_(std::move(origin)), timeout_(timeout) {}

    beast::tcp_stream& tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : tcp_; }

    Task<Result<Reply>> reply() {
        Reply r;
        while (true) {
            tcp().expires_after(timeout_);
            std::size_t n = 0;
            boost::system::error_code ec;
            if (tls_) {
                std::tie(ec, n) = co_await asio::async_read_until(
                    *tls_, asio::dynamic_buffer(buf_), "\r\n", kUse);
            } else {
                std::tie(ec, n) =
                    co_await asio::async_read_until(tcp_, asio::dynamic_buffer(buf_), "\r\n", kUse);
            }
            if (ec)
                co_return fail(ec, "reading from");
            std::string line = buf_.substr(0, n - 2);
            buf_.erase(0, n);
            if (line.size() < 3)
                co_return Failure{errc::io_error,
                                  "SMTP " + origin_ + ": bad reply \"" + line + "\""};
            r.code = std::atoi(line.substr(0, 3).c_str());
            r.text +=
                (r.text.empty() ? "" : " ") + (line.size() > 4 ? line.substr(4) : std::string{});
            if (line.size() == 3 || line[3] == ' ')
                break;
        }
        co_return r;
    }

    Task<Result<void>> write(const std::string& data) {
        tcp().expires_after(timeout_);
        boost::system::error_code ec;
        std::size_t n = 0;
        if (tls_) {
            std::tie(ec, n) = co_await asio::async_write(*tls_, asio::buffer(data), kUse);
        } else {
            std::tie(ec, n) = co_await asio::async_write(tcp_, asio::buffer(data), kUse);
        }
        if (ec)
            co_return fail(ec, "writing to");
        co_return Result<void>{};
    }

    /// Sends `line`, wants a reply with `want` as its first digit.
    Task<Result<Reply>> command(const std::string& line, char want, const std::string& shown = {}) {
        auto w = co_await write(line + "\r\n");
        if (!w)
            co_return w.error();
        auto r = co_await reply();
        if (!r)
            co_return r.error();
        if (std::to_string(r->code)[0] != want) {
            co_return Failure{errc::io_error,
                              "SMTP " + origin_ + " refused " + (shown.empty() ? line : shown) +
                                  ": " + std::to_string(r->code) + " " + r->text};
        }
        co_return r;
    }

    Task<Result<void>> start_tls(const std::string& host, const std::string& ca_file) {
        ctx_.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1);
        boost::system::error_code ec;
        if (ca_file.empty())
            ctx_.set_default_verify_paths(ec);
        else
            ctx_.load_verify_file(ca_file, ec);
        if (ec)
            co_return Failure{errc::invalid_config, "TLS trust anchors: " + ec.message()};
        ctx_.set_verify_mode(ssl::verify_peer);
        tls_.emplace(std::move(tcp_), ctx_);
        tls_->set_verify_callback(ssl::host_name_verification(host));
        SSL_set_tlsext_host_name(tls_->native_handle(), host.c_str());
        tcp().expires_after(timeout_);
        auto [hec] = co_await tls_->async_handshake(ssl::stream_base::client, kUse);
        if (hec)
            co_return fail(hec, "TLS handshake with");
        co_return Result<void>{};
    }

    [[nodiscard]] bool encrypted() const { return tls_.has_value(); }

private:
    Failure fail(const boost::system::error_code& ec, const std::string& what) const {
        if (ec == beast::error::timeout)
            return {errc::timeout, "SMTP " + what + " " + origin_ + " timed out"};
        std::string msg = ec.message();
        if (ec.category() == asio::error::get_ssl_category()) {
            char b[256];
            ERR_error_string_n(static_cast<unsigned long>(ec.value()), b, sizeof b);
            msg = b;
        }
        return {errc::daemon_unavailable, "SMTP " + what + " " + origin_ + ": " + msg};
    }

    beast::tcp_stream tcp_;
    ssl::context ctx_{ssl::context::tls_client};
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
    std::string buf_;
    std::string origin_;
    std::chrono::milliseconds timeout_;
};

// The alert id as a Message-ID's left part: a re-send is the same message.
std::string message_id(const std::string& id) {
    std::string out;
    for (char c : id)
        out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '.';
    return out;
}

// A header's value on one line: a CR or LF (or any other control character) in a target or
// database name must not end the header and start another (labels and the config refuse them;
// this holds for whatever else reaches a header).
std::string header_value(const std::string& v) {
    std::string out = v;
    for (auto& c : out) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f)
            c = ' ';
    }
    return out;
}

}  // namespace

std::string email_message(const domain::Alert& a,
                          const std::string& from,
                          const std::vector<std::string>& to,
                          const std::string& date) {
    std::string tos;
    for (const auto& t : to)
        tos += (tos.empty() ? "" : ", ") + t;
    std::string m = "Date: " + header_value(date) + "\r\nFrom: " + header_value(from) +
                    "\r\nTo: " + header_value(tos) +
                    "\r\nSubject: " + header_value(domain::alert_title(a)) + "\r\nMessage-ID: <" +
                    message_id(a.id) +
                    "@backupctl>\r\nX-Backupctl-Delivery: " + header_value(a.id) +
                    "\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    "Content-Transfer-Encoding: 8bit\r\n\r\n";
    const auto text = domain::alert_text(a);
    for (char c : text) {
        if (c == '\n')
            m += "\r\n";
        else if (c != '\r')
            m += c;
    }
    return m;
}

EmailNotifier::EmailNotifier(asio::any_io_executor ex, const domain::NotifierConfig& config)
    : ex_(std::move(ex)), config_(config) {}

Result<std::unique_ptr<EmailNotifier>> EmailNotifier::create(asio::any_io_executor ex,
                                                             const domain::NotifierConfig& config) {
    for (const char* key : {"host", "from", "to"}) {
        if (setting(config, key).empty()) {
            return Failure{errc::invalid_config, std::string("an email notifier needs ") + key};
        }
    }
    const auto starttls = setting(config, "starttls");
    if (!starttls.empty() && starttls != "true" && starttls != "false") {
        return Failure{errc::invalid_config, "starttls must be true or false"};
    }
    if (starttls == "false" && !setting(config, "username").empty() &&
        !is_loopback(setting(config, "host"))) {
        return Failure{
            errc::invalid_config,
            "refusing to send an SMTP password without STARTTLS to a host that is not loopback"};
    }
    return std::unique_ptr<EmailNotifier>(new EmailNotifier(std::move(ex), config));
}

Task<Result<void>> EmailNotifier::send(const domain::Alert& alert) {
    const auto host = setting(config_, "host");
    const bool starttls = setting(config_, "starttls") != "false";
    auto port = setting(config_, "port");
    if (port.empty())
        port = starttls ? "587" : "25";
    const auto origin = host + ":" + port;
    const auto timeout = timeout_setting(setting(config_, "timeout"));
    const auto to = split_addresses(setting(config_, "to"));
    const auto from = setting(config_, "from");
    const auto user = setting(config_, "username");

    Session s(ex_, origin, timeout);
    asio::ip::tcp::resolver resolver(ex_);
    asio::steady_timer guard(ex_, timeout);
    guard.async_wait([&resolver](const boost::system::error_code& ec) {
        if (!ec)
            resolver.cancel();
    });
    auto [rec, endpoints] = co_await resolver.async_resolve(host, port, kUse);
    guard.cancel();
    if (rec)
        co_return Failure{
            rec == asio::error::operation_aborted ? errc::timeout : errc::daemon_unavailable,
            "SMTP resolving " + origin + ": " + rec.message()};
    s.tcp().expires_after(timeout);
    auto [cec, ep] = co_await s.tcp().async_connect(endpoints, kUse);
    if (cec) {
        co_return Failure{cec == beast::error::timeout ? errc::timeout : errc::daemon_unavailable,
                          "SMTP connecting to " + origin + ": " + cec.message()};
    }
    auto greeting = co_await s.reply();
    if (!greeting)
        co_return greeting.error();
    if (greeting->code != 220)
        co_return Failure{
            errc::io_error,
            "SMTP " + origin + " greeted " + std::to_string(greeting->code) + " " + greeting->text};
    auto ehlo = co_await s.command("EHLO backupctl", '2');
    if (!ehlo)
        co_return ehlo.error();
    if (starttls) {
        if (ehlo->text.find("STARTTLS") == std::string::npos) {
            co_return Failure{
                errc::io_error,
                "SMTP " + origin +
                    " does not offer STARTTLS (set starttls: false only for a local relay)"};
        }
        auto st = co_await s.command("STARTTLS", '2');
        if (!st)
            co_return st.error();
        auto tls = co_await s.start_tls(host, setting(config_, "ca_file"));
        if (!tls)
            co_return tls.error();
        auto again = co_await s.command("EHLO backupctl", '2');
        if (!again)
            co_return again.error();
    }
    if (!user.empty()) {
        if (!s.encrypted() && !is_loopback(host)) {
            co_return Failure{errc::invalid_config, "refusing AUTH over an unencrypted connection"};
        }
        const auto pass = setting(config_, "password");
        auto auth = co_await s.command(
            "AUTH PLAIN " + base64(std::string(1, '\0') + user + std::string(1, '\0') + pass),
            '2',
            "AUTH PLAIN (user " + user + ")");
        if (!auth)
            co_return auth.error();
    }
    if (auto r = co_await s.command("MAIL FROM:<" + bare_address(from) + ">", '2'); !r)
        co_return r.error();
    for (const auto& rcpt : to) {
        if (auto r = co_await s.command("RCPT TO:<" + bare_address(rcpt) + ">", '2'); !r)
            co_return r.error();
    }
    if (auto r = co_await s.command("DATA", '3'); !r)
        co_return r.error();
    // Dot-stuffing: a line that starts with "." gets another one.
    const auto msg = email_message(alert, from, to, rfc5322_date());
    std::string data;
    bool line_start = true;
    for (char c : msg) {
        if (line_start && c == '.')
            data += '.';
        data += c;
        line_start = c == '\n';
    }
    if (auto r = co_await s.command(data + "\r\n.", '2', "the message"); !r)
        co_return r.error();
    (void)co_await s.command("QUIT", '2');
    co_return Result<void>{};
}

}  // namespace bk::adapters::notify

#pragma once
// The loopback receivers of the notifier tests: an HTTP(S) recorder and an SMTP sink with
// STARTTLS (tests/support/*.py, Debian's python3 and python3-aiosmtpd), and a throw-away CA-less
// certificate for 127.0.0.1 made with the openssl CLI.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/shell.hpp"

namespace bk::testing {

/// A self-signed certificate for 127.0.0.1 / localhost in `dir` (cert.pem, key.pem).
inline void make_certificate(const std::filesystem::path& dir) {
    const auto r =
        sh("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost "
           "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
           quoted((dir / "key.pem").string()) + " -out " + quoted((dir / "cert.pem").string()) +
           " 2>/dev/null");
    REQUIRE(r.exit_code == 0);
}

/// A receiver process; `port()` once it listens; `records()` what it got, one JSON per request.
class Receiver {
public:
    Receiver(const std::string& script,
             std::vector<std::string> args,
             const std::filesystem::path& dir,
             const std::string& name)
        : records_(dir / (name + ".jsonl")), out_(dir / (name + ".out")) {
        std::vector<std::string> argv{"/usr/bin/python3",
                                      std::string(BK_SOURCE_DIR) + "/tests/support/" + script,
                                      "--log",
                                      records_.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        proc_ = std::make_unique<Process>(argv, out_);
        REQUIRE(eventually(
            [this] {
                return slurp(out_).find("listening ") != std::string::npos || !proc_->running();
            },
            std::chrono::seconds(20)));
        const auto text = slurp(out_);
        const auto at = text.find("listening ");
        INFO(text);
        REQUIRE(at != std::string::npos);
        port_ = std::stoi(text.substr(at + 10));
    }
    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] std::vector<nlohmann::json> records() const {
        std::vector<nlohmann::json> out;
        std::ifstream in(records_);
        std::string line;
        while (std::getline(in, line)) {
            if (!line.empty())
                out.push_back(nlohmann::json::parse(line));
        }
        return out;
    }
    void stop() { proc_.reset(); }

private:
    std::filesystem::path records_;
    std::filesystem::path out_;
    std::unique_ptr<Process> proc_;
    int port_{0};
};

/// A port nothing listens on now (bound, then released).
inline int free_port() {
    const auto r =
        sh("/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); "
           "print(s.getsockname()[1])'");
    REQUIRE(r.exit_code == 0);
    return std::stoi(r.out);
}

}  // namespace bk::testing

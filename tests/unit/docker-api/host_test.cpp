#include "dockerapi/host.hpp"

#include <catch2/catch.hpp>

#include "support/result_printing.hpp"

using dockerapi::DaemonAddress;
using dockerapi::errc;
using dockerapi::parse_docker_host;

TEST_CASE("DOCKER_HOST forms", "[host]") {
    auto def = parse_docker_host("");
    REQUIRE(def);
    CHECK(def->kind == DaemonAddress::Kind::unix_socket);
    CHECK(def->path == "/var/run/docker.sock");

    auto unix = parse_docker_host("unix:///run/user/1000/docker.sock");
    REQUIRE(unix);
    CHECK(unix->path == "/run/user/1000/docker.sock");

    auto tcp = parse_docker_host("tcp://127.0.0.1:2375");
    REQUIRE(tcp);
    CHECK(tcp->kind == DaemonAddress::Kind::tcp);
    CHECK(tcp->host == "127.0.0.1");
    CHECK(tcp->port == "2375");
    CHECK(tcp->describe() == "tcp://127.0.0.1:2375");

    auto v6 = parse_docker_host("tcp://[::1]:2375");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
}

TEST_CASE("unsupported DOCKER_HOST values say why", "[host]") {
    for (const char* bad :
         {"ssh://user@host", "unix://relative.sock", "tcp://host", "tcp://h:x", "docker.sock"}) {
        auto r = parse_docker_host(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == errc::invalid_argument);
        CHECK_THAT(r.error().message, Catch::Contains(bad));
    }
    auto tls = parse_docker_host("tcp://h:2376", true);
    REQUIRE_FALSE(tls);
    CHECK_THAT(tls.error().message, Catch::Contains("TLS"));
}

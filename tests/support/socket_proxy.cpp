#include "support/socket_proxy.hpp"

#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace bk::testing {
namespace {

int connect_unix(const std::string& path) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

EventsCuttingProxy::EventsCuttingProxy(std::string path) : path_(std::move(path)) {
    const char* host = std::getenv("DOCKER_HOST");
    upstream_path_ = (host != nullptr && std::string(host).rfind("unix://", 0) == 0)
                         ? std::string(host).substr(7)
                         : "/var/run/docker.sock";
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    ::unlink(path_.c_str());
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 64) != 0) {
        throw std::runtime_error("proxy: cannot listen on " + path_);
    }
    acceptor_ = std::thread([this] { accept_loop(); });
}

EventsCuttingProxy::~EventsCuttingProxy() {
    stop_ = true;
    acceptor_.join();
    {
        std::lock_guard<std::mutex> lock(mu_);
        for (auto& c : conns_) {
            if (c->closed)
                continue;
            ::shutdown(c->client, SHUT_RDWR);
            ::shutdown(c->upstream, SHUT_RDWR);
        }
    }
    for (auto& t : threads_)
        t.join();
    ::close(listen_fd_);
    ::unlink(path_.c_str());
}

void EventsCuttingProxy::accept_loop() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0)
            continue;
        const int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client < 0)
            continue;
        const int upstream = connect_unix(upstream_path_);
        if (upstream < 0) {
            ::close(client);
            continue;
        }
        auto c = std::make_shared<Conn>();
        c->client = client;
        c->upstream = upstream;
        std::lock_guard<std::mutex> lock(mu_);
        conns_.push_back(c);
        threads_.emplace_back([this, c] { pump(c); });
    }
}

void EventsCuttingProxy::pump(std::shared_ptr<Conn> c) {
    char buf[65536];
    bool first = true;
    for (;;) {
        pollfd p[2] = {{c->client, POLLIN, 0}, {c->upstream, POLLIN, 0}};
        if (::poll(p, 2, 200) < 0)
            break;
        bool closed = false;
        for (int i = 0; i < 2; ++i) {
            if ((p[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
                continue;
            const auto n = ::read(p[i].fd, buf, sizeof buf);
            if (n <= 0) {
                closed = true;
                break;
            }
            if (i == 0 && first) {
                first = false;
                const std::string head(buf, static_cast<std::size_t>(std::min<ssize_t>(n, 256)));
                if (head.find(" /events") != std::string::npos ||
                    (head.find("/events?") != std::string::npos)) {
                    c->events = true;
                    ++events_seen_;
                }
            }
            const int to = i == 0 ? c->upstream : c->client;
            ssize_t done = 0;
            while (done < n) {
                const auto w = ::write(to, buf + done, static_cast<std::size_t>(n - done));
                if (w <= 0) {
                    closed = true;
                    break;
                }
                done += w;
            }
            if (closed)
                break;
        }
        if (closed)
            break;
    }
    std::lock_guard<std::mutex> lock(mu_);
    ::close(c->client);
    ::close(c->upstream);
    c->closed = true;
}

int EventsCuttingProxy::cut_events() {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (auto& c : conns_) {
        if (c->events && !c->closed) {
            ::shutdown(c->client, SHUT_RDWR);
            ::shutdown(c->upstream, SHUT_RDWR);
            c->events = false;  // cut once
            ++n;
        }
    }
    return n;
}

}  // namespace bk::testing

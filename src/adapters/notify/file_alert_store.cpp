#include "adapters/notify/file_alert_store.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace bk::adapters::notify {

using nlohmann::json;

struct FileAlertStore::State {
    std::vector<domain::QueuedAlert> queue;
    std::map<std::string, domain::AlertMemory> memory;
};

namespace {

json to_json(const domain::Alert& a) {
    return {{"id", a.id},
            {"kind", a.kind},
            {"target", a.target},
            {"status", a.status},
            {"run_id", a.run_id},
            {"trigger", a.trigger},
            {"at", a.at},
            {"seconds", a.seconds},
            {"bytes", a.bytes},
            {"snapshots", a.snapshots},
            {"error_stage", a.error_stage},
            {"error", a.error},
            {"last_success", a.last_success},
            {"details", a.details}};
}

domain::Alert alert_from(const json& j) {
    domain::Alert a;
    a.id = j.at("id").get<std::string>();
    a.kind = j.at("kind").get<std::string>();
    a.target = j.value("target", "");
    a.status = j.value("status", "");
    a.run_id = j.value("run_id", "");
    a.trigger = j.value("trigger", "");
    a.at = j.value("at", "");
    a.seconds = j.value("seconds", 0.0);
    a.bytes = j.value("bytes", std::uint64_t{0});
    if (const auto s = j.find("snapshots"); s != j.end())
        a.snapshots = s->get<std::vector<std::string>>();
    a.error_stage = j.value("error_stage", "");
    a.error = j.value("error", "");
    a.last_success = j.value("last_success", "");
    a.details = j.value("details", "");
    return a;
}

bool parse_state(const std::string& text,
                 std::vector<domain::QueuedAlert>& queue,
                 std::map<std::string, domain::AlertMemory>& memory) {
    try {
        const auto j = json::parse(text);
        if (const auto q = j.find("queue"); q != j.end()) {
            for (const auto& e : *q) {
                domain::QueuedAlert item;
                item.notifier = e.at("notifier").get<std::string>();
                item.alert = alert_from(e.at("alert"));
                item.attempts = e.value("attempts", 0);
                item.next_at = e.value("next_at", std::int64_t{0});
                item.queued_at = e.value("queued_at", std::int64_t{0});
                item.last_error = e.value("last_error", "");
                queue.push_back(std::move(item));
            }
        }
        if (const auto m = j.find("memory"); m != j.end()) {
            for (const auto& [name, v] : m->items()) {
                domain::AlertMemory mem;
                // "" before the first run; a status this version does not know is an error.
                if (const auto last = v.value("last_status", ""); !last.empty()) {
                    mem.last_status = domain::parse_run_status(last);
                    if (!mem.last_status)
                        throw std::invalid_argument("unknown last_status '" + last + "'");
                }
                mem.overdue = v.value("overdue", false);
                mem.overdue_since = v.value("overdue_since", "");
                mem.snapshots = v.value("snapshots", std::int64_t{-1});
                mem.last_summary = v.value("last_summary", "");
                if (const auto nt = v.find("notify"); nt != v.end()) {
                    mem.notify = nt->get<std::vector<std::string>>();
                }
                memory[name] = std::move(mem);
            }
        }
        return true;
    } catch (const std::exception&) {
        return false;
    }
}

std::string io_error(const std::string& what, const std::string& path) {
    return what + " " + path + ": " + errno_text(errno);
}

}  // namespace

FileAlertStore::FileAlertStore(std::string path) : path_(std::move(path)) {}

template <class F>
auto FileAlertStore::locked(bool write, F&& f) -> decltype(f(std::declval<State&>())) {
    using R = decltype(f(std::declval<State&>()));
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
    const std::string lock_path = path_ + ".lock";
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return R(Failure{errc::io_error, io_error("cannot open", lock_path)});
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }  // also drops the flock
    } closer{fd};
    if (::flock(fd, LOCK_EX) != 0)
        return R(Failure{errc::io_error, io_error("cannot lock", lock_path)});

    State st;
    if (std::ifstream in(path_); in) {
        std::stringstream ss;
        ss << in.rdbuf();
        if (!parse_state(ss.str(), st.queue, st.memory)) {
            // Kept for a human; the outbox starts again empty rather than never working again.
            std::filesystem::rename(path_, path_ + ".bad", ec);
            st = State{};
        }
    }
    auto result = f(st);
    if (!write || !result)
        return result;
    json queue = json::array();
    json memory = json::object();
    for (const auto& q : st.queue) {
        queue.push_back({{"notifier", q.notifier},
                         {"alert", to_json(q.alert)},
                         {"attempts", q.attempts},
                         {"next_at", q.next_at},
                         {"queued_at", q.queued_at},
                         {"last_error", q.last_error}});
    }
    for (const auto& [name, m] : st.memory) {
        memory[name] = {{"last_status", m.last_status ? domain::to_string(*m.last_status) : ""},
                        {"overdue", m.overdue},
                        {"overdue_since", m.overdue_since},
                        {"snapshots", m.snapshots},
                        {"last_summary", m.last_summary},
                        {"notify", m.notify}};
    }
    json out = json::object();
    out["version"] = 1;
    out["queue"] = std::move(queue);
    out["memory"] = std::move(memory);
    const std::string tmp = path_ + ".tmp";
    const std::string text = out.dump(1, ' ', false, json::error_handler_t::replace) + "\n";
    const int tfd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (tfd < 0)
        return R(Failure{errc::io_error, io_error("cannot write", tmp)});
    const bool ok = ::write(tfd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    ::fsync(tfd) == 0;
    ::close(tfd);
    if (!ok || ::rename(tmp.c_str(), path_.c_str()) != 0) {
        return R(Failure{errc::io_error, io_error("cannot write", path_)});
    }
    return result;
}

int FileAlertStore::pending() {
    auto q = queued();
    return q ? static_cast<int>(q->size()) : 0;
}

Result<bool> FileAlertStore::enqueue(const domain::QueuedAlert& q) {
    bool added = false;
    auto r = locked(true, [&](State& st) -> Result<void> {
        for (const auto& e : st.queue) {
            if (e.key() == q.key())
                return Result<void>{};
        }
        st.queue.push_back(q);
        added = true;
        return Result<void>{};
    });
    if (!r)
        return r.error();
    return added;
}

Result<std::vector<domain::QueuedAlert>> FileAlertStore::queued() {
    std::vector<domain::QueuedAlert> out;
    auto r = locked(false, [&](State& st) -> Result<void> {
        out = st.queue;
        return Result<void>{};
    });
    if (!r)
        return r.error();
    return out;
}

Result<bool> FileAlertStore::claim(const domain::QueuedAlert& q, std::int64_t now) {
    bool taken = false;
    auto r = locked(true, [&](State& st) -> Result<void> {
        for (auto& e : st.queue) {
            if (e.key() == q.key() && e.next_at <= now) {
                e.next_at = q.next_at;
                taken = true;
            }
        }
        return Result<void>{};
    });
    if (!r)
        return r.error();
    return taken;
}

Result<void> FileAlertStore::settle(const domain::QueuedAlert& q, bool delivered) {
    return locked(true, [&](State& st) -> Result<void> {
        if (delivered) {
            std::erase_if(st.queue, [&q](const auto& e) { return e.key() == q.key(); });
        } else {
            for (auto& e : st.queue) {
                if (e.key() == q.key())
                    e = q;
            }
        }
        return Result<void>{};
    });
}

Result<std::map<std::string, domain::AlertMemory>> FileAlertStore::memory() {
    std::map<std::string, domain::AlertMemory> out;
    auto r = locked(false, [&](State& st) -> Result<void> {
        out = st.memory;
        return Result<void>{};
    });
    if (!r)
        return r.error();
    return out;
}

Result<void> FileAlertStore::remember(const std::string& target, const domain::AlertMemory& m) {
    return locked(true, [&](State& st) -> Result<void> {
        st.memory[target] = m;
        return Result<void>{};
    });
}

}  // namespace bk::adapters::notify

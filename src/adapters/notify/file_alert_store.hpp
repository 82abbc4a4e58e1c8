#pragma once
// The notification outbox and the alert memory in one JSON file (`<state>/notify-outbox.json`).
// Every call takes an exclusive flock on `<file>.lock`, reads the file, changes it and replaces it
// atomically (.tmp, fsync, rename), so the daemon and CLI runs of one state directory share it and
// a crash never leaves half a file. A file that cannot be read is moved aside to `<file>.bad`.

#include <string>

#include "domain/ports/alerting.hpp"

namespace bk::adapters::notify {

class FileAlertStore final : public domain::AlertStore {
public:
    explicit FileAlertStore(std::string path);
    [[nodiscard]] const std::string& path() const { return path_; }
    /// Alerts waiting (0 when the file is absent or unreadable).
    [[nodiscard]] int pending();

    Result<bool> enqueue(const domain::QueuedAlert& q) override;
    Result<std::vector<domain::QueuedAlert>> queued() override;
    Result<bool> claim(const domain::QueuedAlert& q, std::int64_t now) override;
    Result<void> settle(const domain::QueuedAlert& q, bool delivered) override;
    Result<std::map<std::string, domain::AlertMemory>> memory() override;
    Result<void> remember(const std::string& target, const domain::AlertMemory& m) override;

private:
    struct State;
    template <class F>
    auto locked(bool write, F&& f) -> decltype(f(std::declval<State&>()));
    std::string path_;
};

}  // namespace bk::adapters::notify

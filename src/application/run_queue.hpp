#pragma once
// The daemon's queue of due runs, fair between targets: a target is queued at most once per
// kind (its backup, its drill), never runs twice at once (a backup and a drill of one target
// share its database and its repository), and among the targets that may run the one whose
// last run started longest ago goes first, so that a target due every minute (or re-triggered
// by events with `min-interval: 0s`) cannot keep the workers from everyone else.

#include <cstdint>
#include <iterator>
#include <list>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace bk::app {

template <class Job>
class RunQueue {
public:
    /// Queues `job` of `target` under `key` (one per target and kind); false when that key is
    /// queued already.
    bool push(std::string target, std::string key, Job job) {
        if (keys_.contains(key)) {
            return false;
        }
        keys_.insert(key);
        entries_.push_back({std::move(target), std::move(key), std::move(job), ++sequence_});
        return true;
    }

    /// The next job to run: of a target not in `running`, the target that started a run least
    /// recently (never: first), then in queueing order. nullopt when none may run now.
    std::optional<Job> pop(const std::set<std::string>& running) {
        auto best = entries_.end();
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
            if (running.contains(it->target)) {
                continue;
            }
            if (best == entries_.end() || before(*it, *best)) {
                best = it;
            }
        }
        if (best == entries_.end()) {
            return std::nullopt;
        }
        std::optional<Job> job(std::move(best->job));
        keys_.erase(best->key);
        entries_.erase(best);
        return job;
    }

    /// A run of `target` starts now: the next time, targets that ran less recently go first.
    void started(const std::string& target) { last_start_[target] = ++sequence_; }
    /// Forgets a target that is gone (its queued jobs stay until they run or are cleared).
    void forget(const std::string& target) { last_start_.erase(target); }

    [[nodiscard]] bool contains(const std::string& key) const { return keys_.contains(key); }
    [[nodiscard]] bool empty() const { return entries_.empty(); }
    [[nodiscard]] std::size_t size() const { return entries_.size(); }
    void clear() {
        entries_.clear();
        keys_.clear();
    }

private:
    struct Entry {
        std::string target;
        std::string key;
        Job job;
        std::uint64_t queued{0};
    };

    [[nodiscard]] std::uint64_t last_start(const std::string& target) const {
        auto it = last_start_.find(target);
        return it == last_start_.end() ? 0 : it->second;
    }
    [[nodiscard]] bool before(const Entry& a, const Entry& b) const {
        const auto la = last_start(a.target);
        const auto lb = last_start(b.target);
        return la != lb ? la < lb : a.queued < b.queued;
    }

    std::list<Entry> entries_;
    std::set<std::string> keys_;
    std::map<std::string, std::uint64_t> last_start_;  ///< target -> order of its last start
    std::uint64_t sequence_{0};
};

}  // namespace bk::app

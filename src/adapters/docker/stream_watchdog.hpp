#pragma once
// Deadlines for the Engine API's streams, which have none of their own (a dump may compute for
// long before its first byte): the caller races the stream against a watchdog and, when the
// watchdog wins, the stream's coroutine is cancelled (dockerapi honours cancellation slots).

#include <chrono>
#include <memory>
#include <string>

#include "core/task.hpp"
#include "domain/ports/backup_ports.hpp"

namespace bk::adapters::docker {

/// When a stream last moved. While a piece is handed on (`busy`: the next stage, e.g. restic,
/// applies back-pressure) the source is not idle: the silence counts from the piece's end.
struct StreamActivity {
    std::chrono::steady_clock::time_point last{std::chrono::steady_clock::now()};
    int busy{0};

    void begin() {
        ++busy;
        last = std::chrono::steady_clock::now();
    }
    void end() {
        --busy;
        last = std::chrono::steady_clock::now();
    }
};

enum class Cut { deadline, idle, cutoff };

/// Completes when `limits` pass: the deadline, `limits.idle` without activity, or the cut is
/// requested (woken by it, no polling). Runs until cancelled otherwise (race it with `||` against
/// the stream: the stream's coroutine is then cancelled through its slot).
Task<Cut> watchdog(domain::StreamLimits limits, std::shared_ptr<const StreamActivity> activity);

/// "no output for 10m" / "timed out" / "cut short (SIGTERM)" for a cut of a stream.
std::string describe(Cut cut, const domain::StreamLimits& limits, const char* what = "output");

}  // namespace bk::adapters::docker

#pragma once
// The port the application logs through. One implementation (adapters/log, over spdlog) is built
// in bootstrap/; tests use a recording fake. The application never formats a log line itself:
// it says what happened, at which level, and for which target and run.

#include <optional>
#include <string>
#include <string_view>

namespace bk::domain {

enum class LogLevel { trace, debug, info, warn, error };
enum class LogFormat { text, json };

/// "trace", "debug", "info", "warn", "error".
std::string_view log_level_name(LogLevel level);
/// The level of a name (as log_level_name writes it; "warning" is also taken); nullopt otherwise.
std::optional<LogLevel> parse_log_level(std::string_view name);
/// The more verbose of `configured` and what `-v` counted on the command line asks for
/// (1: debug, 2 or more: trace).
LogLevel with_verbosity(LogLevel configured, int verbosity);

/// What a line is about, when known: JSON lines carry them as their own fields.
struct LogContext {
    std::string target;
    std::string run;  ///< the run id
};

/// Where diagnostics go. Messages are plain text: the implementation escapes control characters
/// and masks credentials (URL passwords, the config's secrets) before anything is written.
class Logger {
public:
    virtual ~Logger() = default;
    virtual void write(LogLevel level, std::string_view message, const LogContext& context) = 0;
    /// Whether a line at `level` would be written (to skip building an expensive message).
    [[nodiscard]] virtual bool enabled(LogLevel level) const = 0;

    void debug(std::string_view message, const LogContext& context = {}) {
        write(LogLevel::debug, message, context);
    }
    void info(std::string_view message, const LogContext& context = {}) {
        write(LogLevel::info, message, context);
    }
    void warn(std::string_view message, const LogContext& context = {}) {
        write(LogLevel::warn, message, context);
    }
    void error(std::string_view message, const LogContext& context = {}) {
        write(LogLevel::error, message, context);
    }
};

/// Writes nothing (a command that reports the same problems itself).
class NullLogger final : public Logger {
public:
    void write(LogLevel, std::string_view, const LogContext&) override {}
    [[nodiscard]] bool enabled(LogLevel) const override { return false; }
};

}  // namespace bk::domain

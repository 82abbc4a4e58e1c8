#include "adapters/log/spdlog_logger.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <algorithm>
#include <utility>

#include "domain/printable.hpp"
#include "domain/repository_location.hpp"

namespace bk::adapters::log {
namespace {

spdlog::level::level_enum to_spdlog(domain::LogLevel level) {
    switch (level) {
        case domain::LogLevel::trace:
            return spdlog::level::trace;
        case domain::LogLevel::debug:
            return spdlog::level::debug;
        case domain::LogLevel::info:
            return spdlog::level::info;
        case domain::LogLevel::warn:
            return spdlog::level::warn;
        case domain::LogLevel::error:
            return spdlog::level::err;
    }
    return spdlog::level::info;
}

// `%*`: the level as the config names it ("warn", "error"), not spdlog's "warning"/"err".
class LevelName final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg,
                const std::tm&,
                spdlog::memory_buf_t& dest) override {
        domain::LogLevel level = domain::LogLevel::error;
        switch (msg.level) {
            case spdlog::level::trace:
                level = domain::LogLevel::trace;
                break;
            case spdlog::level::debug:
                level = domain::LogLevel::debug;
                break;
            case spdlog::level::info:
                level = domain::LogLevel::info;
                break;
            case spdlog::level::warn:
                level = domain::LogLevel::warn;
                break;
            default:
                break;
        }
        const auto name = domain::log_level_name(level);
        dest.append(name.data(), name.data() + name.size());
    }
    [[nodiscard]] std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<LevelName>();
    }
};

// Text: "2026-12-07T05:04:58Z info message target=shop run=r-1" (the time in UTC, as the audit
// trail writes it). JSON: the pattern writes time and level; the message is the object's rest.
std::unique_ptr<spdlog::formatter> formatter_for(domain::LogFormat format) {
    auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    f->add_flag<LevelName>('*');
    f->set_pattern(format == domain::LogFormat::json
                       ? R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%*",%v})"
                       : "%Y-%m-%dT%H:%M:%SZ %* %v");
    return f;
}

}  // namespace

struct SpdlogLogger::State {
    Options options;
    std::shared_ptr<spdlog::logger> logger;

    // Credentials in URLs (`scheme://user:pass@host`) and every known secret value hidden.
    [[nodiscard]] std::string masked(std::string_view message) const {
        std::string out = domain::mask_url(message);
        for (const auto& secret : options.secrets) {
            if (secret.size() < kMinSecret)
                continue;
            for (auto at = out.find(secret); at != std::string::npos;
                 at = out.find(secret, at + 5)) {
                out.replace(at, secret.size(), "*****");
            }
        }
        return out;
    }
};

namespace {
std::shared_ptr<spdlog::logger> make(spdlog::sink_ptr sink, const SpdlogLogger::Options& o) {
    sink->set_formatter(formatter_for(o.format));
    // Not registered in spdlog's global registry: bootstrap owns this one and hands it out.
    auto logger = std::make_shared<spdlog::logger>("backupctl", std::move(sink));
    logger->set_level(to_spdlog(o.level));
    // A line is on its way at once: a daemon that dies leaves its last words.
    logger->flush_on(spdlog::level::trace);
    return logger;
}
}  // namespace

SpdlogLogger::SpdlogLogger(Options options) : state_(std::make_unique<State>()) {
    state_->options = std::move(options);
    state_->logger = make(std::make_shared<spdlog::sinks::stderr_sink_mt>(), state_->options);
}

SpdlogLogger::SpdlogLogger(Options options, std::ostream& out) : state_(std::make_unique<State>()) {
    state_->options = std::move(options);
    state_->logger =
        make(std::make_shared<spdlog::sinks::ostream_sink_mt>(out, true), state_->options);
}

SpdlogLogger::~SpdlogLogger() = default;

bool SpdlogLogger::enabled(domain::LogLevel level) const {
    return state_->logger->should_log(to_spdlog(level));
}

void SpdlogLogger::write(domain::LogLevel level,
                         std::string_view message,
                         const domain::LogContext& context) {
    if (!enabled(level))
        return;
    const std::string text = state_->masked(message);
    std::string line;
    if (state_->options.format == domain::LogFormat::json) {
        nlohmann::json j{{"message", text}};
        if (!context.target.empty())
            j["target"] = context.target;
        if (!context.run.empty())
            j["run"] = context.run;
        // Bytes that are not UTF-8 (a program's stderr) become U+FFFD: the line stays JSON.
        line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        // The object's members without its braces: the pattern puts time and level first.
        line = line.substr(1, line.size() - 2);
    } else {
        // One event, one line: a line break in a name or an error tail is escaped, so that a log
        // line cannot be forged.
        line = domain::escape_unprintable(text);
        if (!context.target.empty())
            line += " target=" + domain::escape_unprintable(context.target);
        if (!context.run.empty())
            line += " run=" + domain::escape_unprintable(context.run);
    }
    state_->logger->log(to_spdlog(level), spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace bk::adapters::log

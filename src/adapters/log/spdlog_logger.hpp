#pragma once
// domain::Logger over spdlog: one logger, lines on stderr (or a stream, for tests), as text or as
// one JSON object a line.

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "domain/ports/logger.hpp"

namespace bk::adapters::log {

class SpdlogLogger final : public domain::Logger {
public:
    struct Options {
        domain::LogLevel level{domain::LogLevel::info};
        domain::LogFormat format{domain::LogFormat::text};
        /// Values never written: each is replaced by `*****` wherever a message holds it (the
        /// config's passwords and tokens). Values shorter than kMinSecret are left alone: masking
        /// "x" would mangle every line and hide nothing.
        std::vector<std::string> secrets;
    };
    static constexpr std::size_t kMinSecret = 4;

    /// Writes to stderr.
    explicit SpdlogLogger(Options options);
    /// Writes to `out` (which must outlive the logger).
    SpdlogLogger(Options options, std::ostream& out);
    ~SpdlogLogger() override;
    SpdlogLogger(const SpdlogLogger&) = delete;
    SpdlogLogger& operator=(const SpdlogLogger&) = delete;

    void write(domain::LogLevel level,
               std::string_view message,
               const domain::LogContext& context) override;
    [[nodiscard]] bool enabled(domain::LogLevel level) const override;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace bk::adapters::log

#pragma once
// Fake of domain::FileArchiver: the target's paths as `items`, each streamed as `payload`; the
// target is "running" until stop() and again after start().

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/ports/backup_ports.hpp"

namespace bk::testing {

class FakeFiles final : public domain::FileArchiver {
public:
    std::vector<domain::FileItem> items;  ///< what plan_files() lists
    std::string payload{"tar"};
    std::optional<Failure> stream_fails;
    bool running{true};  ///< the target container
    int stops{0};
    int starts{0};
    bool streamed_while_running{false};

    Task<Result<std::vector<domain::FileItem>>> plan_files(const domain::Target&) override {
        co_return items;
    }
    Task<Result<std::uint64_t>> stream(const domain::Target&,
                                       const domain::FileItem&,
                                       domain::ByteSink& sink,
                                       domain::StreamLimits) override {
        streamed_while_running = streamed_while_running || running;
        if (stream_fails)
            co_return *stream_fails;
        auto w = co_await sink.write(std::span<const char>(payload.data(), payload.size()));
        if (!w)
            co_return w.error();
        co_return std::uint64_t{payload.size()};
    }
    Task<Result<bool>> stop(const domain::Target&) override {
        ++stops;
        const bool was = running;
        running = false;
        co_return was;
    }
    Task<Result<void>> start(const domain::Target&) override {
        ++starts;
        running = true;
        co_return Result<void>{};
    }
};

}  // namespace bk::testing

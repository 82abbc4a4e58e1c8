#include "adapters/docker/docker_engine_probe.hpp"

#include "adapters/docker/docker_target_source.hpp"
#include "dockerapi/client.hpp"

namespace bk::adapters::docker {

namespace {
// The engine's own words, without the "Docker engine: " prefix (the check names the engine).
Failure said(const dockerapi::Error& e) {
    return Failure{to_failure(e).code, e.describe()};
}
}  // namespace

DockerEngineProbe::DockerEngineProbe(dockerapi::Client& client, std::string address)
    : client_(client), address_(std::move(address)) {}

Task<Result<void>> DockerEngineProbe::ping() {
    auto ping = co_await client_.ping();
    if (!ping)
        co_return said(ping.error());
    co_return Result<void>{};
}

Task<Result<domain::EngineInfo>> DockerEngineProbe::info() {
    auto ping = co_await client_.ping();
    if (!ping)
        co_return said(ping.error());
    auto version = co_await client_.version();
    if (!version)
        co_return said(version.error());
    domain::EngineInfo i;
    i.version = version->version;
    i.os = version->os;
    i.arch = version->arch;
    i.api_version = client_.api_version();
    i.daemon_api_version = ping->api_version;
    i.min_api_version = version->min_api_version;
    co_return i;
}

Task<Result<bool>> DockerEngineProbe::container_running(std::string id) {
    auto inspect = co_await client_.inspect_container(std::move(id));
    if (!inspect)
        co_return said(inspect.error());
    co_return inspect->state.running;
}

Task<Result<void>> DockerEngineProbe::image_present(std::string image) {
    auto img = co_await client_.inspect_image(std::move(image));
    if (!img)
        co_return said(img.error());
    co_return Result<void>{};
}

}  // namespace bk::adapters::docker

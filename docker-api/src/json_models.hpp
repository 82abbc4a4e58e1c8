#pragma once
// Docker JSON <-> dockerapi models. Internal to dockerapi: the only place Docker JSON is read.
// The daemon's schema is open: missing keys get defaults, unknown keys are ignored, null is
// treated as missing.

#include <string>
#include <string_view>
#include <vector>

#include "dockerapi/errors.hpp"
#include "dockerapi/models/containers.hpp"
#include "dockerapi/models/events.hpp"
#include "dockerapi/models/exec.hpp"
#include "dockerapi/models/images.hpp"
#include "dockerapi/models/networks.hpp"
#include "dockerapi/models/system.hpp"

namespace dockerapi::detail {

Result<VersionInfo> parse_version(std::string_view body);
Result<SystemInfo> parse_info(std::string_view body);
Result<std::vector<ContainerSummary>> parse_container_list(std::string_view body);
Result<ContainerInspect> parse_container_inspect(std::string_view body);
Result<CreatedContainer> parse_created(std::string_view body);
Result<WaitResult> parse_wait(std::string_view body);
Result<ExecInfo> parse_exec_inspect(std::string_view body);
Result<std::string> parse_id(std::string_view body);
Result<std::vector<NetworkSummary>> parse_network_list(std::string_view body);
Result<NetworkSummary> parse_network(std::string_view body);
Result<ImageInfo> parse_image(std::string_view body);
Result<Event> parse_event(std::string_view line);

/// One line of a pull/import stream; an in-band error comes back as errc::stream_error.
Result<PullProgress> parse_pull_line(std::string_view line);

/// The daemon's error message: {"message": "..."} or, for plain-text errors, the trimmed text.
std::string error_message_from_body(std::string_view body);

std::string serialize(const ContainerSpec& spec);
std::string serialize(const ExecSpec& spec);
std::string serialize(const NetworkSpec& spec);
std::string serialize(const Filters& filters);
std::string serialize_connect(const std::string& container,
                              const std::vector<std::string>& aliases);
std::string serialize_disconnect(const std::string& container, bool force);

}  // namespace dockerapi::detail

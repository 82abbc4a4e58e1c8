#pragma once
// dockerapi::Client: a typed, asynchronous client of the Docker Engine API. It knows Docker and
// nothing of backups.
//
// Contract of every call:
//  - returns Result<T>: errors are values (see errors.hpp), never exceptions;
//  - ordinary calls have a deadline (ClientOptions::request_timeout) and return errc::timeout
//    when it passes; streams have no idle deadline (a dump may compute for a long time before its
//    first byte, the events stream is silent for hours): the caller bounds them;
//  - every call honours terminal cancellation of the awaiting coroutine (its cancellation slot,
//    e.g. `call() || timer`): the I/O is aborted, the connection dropped, errc::cancelled returned;
//  - the API version is negotiated from /_ping on first use (min of the client's newest and the
//    daemon's), never pinned, and negotiated again when the daemon says "too old/new";
//  - a Client and the streams it returns are used from one strand (one io_context thread).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "dockerapi/errors.hpp"
#include "dockerapi/host.hpp"
#include "dockerapi/models/containers.hpp"
#include "dockerapi/models/events.hpp"
#include "dockerapi/models/exec.hpp"
#include "dockerapi/models/images.hpp"
#include "dockerapi/models/networks.hpp"
#include "dockerapi/models/system.hpp"
#include "dockerapi/stream_demux.hpp"

namespace dockerapi {

template <class T>
using Task = boost::asio::awaitable<T>;

/// The newest Engine API version this client speaks.
inline constexpr const char* kMaxApiVersion = "1.44";

struct ClientOptions {
    DaemonAddress address;
    std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
    std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
    std::size_t body_limit{64u << 20};  ///< ordinary (non-streaming) bodies
    std::string max_api_version{kMaxApiVersion};
    std::size_t max_idle_connections{4};
};

/// Receives the bytes of a multiplexed stream (attach, exec). The span is valid until the
/// returned task completes; the next read from the daemon waits for it (back-pressure reaches the
/// container, which blocks on write). A non-zero error code abandons the stream.
class StreamSink {
public:
    virtual ~StreamSink() = default;
    virtual Task<std::error_code> write(StreamKind kind, std::span<const char> data) = 0;
};

/// Receives the bytes of a plain stream (archive get). Same rules as StreamSink.
class ByteSink {
public:
    virtual ~ByteSink() = default;
    virtual Task<std::error_code> write(std::span<const char> data) = 0;
};

struct StreamTotals {
    std::uint64_t stdout_bytes{0};
    std::uint64_t stderr_bytes{0};
};

/// A hijacked attach or exec-start connection. Owns its connection; closing or destroying it
/// ends the stream.
class AttachStream {
public:
    AttachStream();
    AttachStream(AttachStream&&) noexcept;
    AttachStream& operator=(AttachStream&&) noexcept;
    ~AttachStream();

    /// Reads until the daemon closes the stream (the process's stdout and stderr closed), handing
    /// every payload piece to `sink`. EOF is not success: get the exit code from wait/exec inspect.
    /// Errors: truncated_stream (EOF inside a frame), protocol (corrupt frame header), sink_failed,
    /// transport, cancelled.
    Task<Result<StreamTotals>> pump(StreamSink& sink);

    /// Writes to the process's stdin (raw bytes, not framed). Needs attach with stdin.
    Task<Result<void>> write_stdin(std::span<const char> data);
    /// Half-closes the connection: the process sees EOF on stdin.
    Result<void> close_stdin();
    void close();

    struct Impl;
    explicit AttachStream(std::unique_ptr<Impl> impl);  ///< internal: made by Client

private:
    std::unique_ptr<Impl> impl_;
};

/// A wait request whose headers have arrived: the daemon now watches for the condition.
class WaitHandle {
public:
    WaitHandle();
    WaitHandle(WaitHandle&&) noexcept;
    WaitHandle& operator=(WaitHandle&&) noexcept;
    ~WaitHandle();

    /// The exit status, when the condition is met. A daemon that dies meanwhile gives
    /// errc::truncated_stream: the exit code is unknown and must count as failure.
    Task<Result<WaitResult>> result();

    struct Impl;
    explicit WaitHandle(std::unique_ptr<Impl> impl);  ///< internal: made by Client

private:
    std::unique_ptr<Impl> impl_;
};

/// A PUT /containers/{id}/archive whose tar streams in (chunked): the daemon extracts each entry
/// as it arrives, with the owner, mode and times of its tar header. Owns its connection.
class ArchiveUpload {
public:
    ArchiveUpload();
    ArchiveUpload(ArchiveUpload&&) noexcept;
    ArchiveUpload& operator=(ArchiveUpload&&) noexcept;
    ~ArchiveUpload();

    /// Sends the next bytes of the tar (no deadline: the caller bounds the stream). When the
    /// daemon stopped reading, its answer is the error (not_found for a missing path, ...).
    Task<Result<void>> write(std::span<const char> data);
    /// Ends the tar and waits (request_timeout) for the daemon's answer: success once all of it
    /// was extracted.
    Task<Result<void>> finish();
    /// Abandons the upload: the connection closes mid-body, the daemon stops extracting (what it
    /// extracted so far stays).
    void close();

    struct Impl;
    explicit ArchiveUpload(std::unique_ptr<Impl> impl);  ///< internal: made by Client

private:
    std::unique_ptr<Impl> impl_;
};

/// The /events stream. Read it from a loop that does nothing else: the daemon drops events for a
/// reader that falls behind.
class EventStream {
public:
    EventStream();
    EventStream(EventStream&&) noexcept;
    EventStream& operator=(EventStream&&) noexcept;
    ~EventStream();

    /// The next event; nullopt when the stream ended cleanly (an `until` in the past was reached).
    /// Errors: transport or truncated_stream (cut: reconnect with since), malformed_body (one bad
    /// line: the stream stays usable), cancelled.
    Task<Result<std::optional<Event>>> next();
    void close();

    struct Impl;
    explicit EventStream(std::unique_ptr<Impl> impl);  ///< internal: made by Client

private:
    std::unique_ptr<Impl> impl_;
};

class Client {
public:
    Client(boost::asio::any_io_executor executor, ClientOptions options);
    Client(Client&&) noexcept;
    Client& operator=(Client&&) noexcept;
    ~Client();

    [[nodiscard]] boost::asio::any_io_executor executor() const;
    /// The version the client speaks with the daemon ("1.41"), empty before negotiation.
    [[nodiscard]] const std::string& api_version() const;

    // --- system
    Task<Result<PingInfo>> ping();
    Task<Result<VersionInfo>> version();
    Task<Result<SystemInfo>> info();

    // --- containers
    Task<Result<std::vector<ContainerSummary>>> list_containers(ListContainersOptions options);
    Task<Result<ContainerInspect>> inspect_container(std::string id);
    Task<Result<CreatedContainer>> create_container(ContainerSpec spec, std::string name);
    /// not_modified when it already runs.
    Task<Result<void>> start_container(std::string id);
    Task<Result<void>> stop_container(std::string id, std::chrono::seconds grace);
    Task<Result<void>> kill_container(std::string id, std::string signal);
    Task<Result<void>> remove_container(std::string id, bool force, bool remove_volumes);
    /// Returns once the daemon watches the condition (headers received). For a container about to
    /// start, ask for next_exit before start: not_running returns at once for a created one.
    Task<Result<WaitHandle>> wait_container(std::string id, WaitCondition condition);
    /// Attach before start (a fast process's output is lost otherwise); returns after the 101.
    Task<Result<AttachStream>> attach_container(std::string id, bool with_stdin);
    /// PUT /containers/{id}/archive: extracts an uncompressed tar at `path` (works before start).
    Task<Result<void>> put_archive(std::string id, std::string path, std::string tar);
    /// PUT /containers/{id}/archive with a tar of any size: sends the request header; the tar
    /// follows through the returned upload (the directory `path` must exist in the container).
    Task<Result<ArchiveUpload>> upload_archive(std::string id, std::string path);
    /// GET /containers/{id}/archive: streams a tar of `path` into `sink`; returns its size.
    Task<Result<std::uint64_t>> get_archive(std::string id, std::string path, ByteSink& sink);

    // --- exec
    Task<Result<std::string>> create_exec(std::string container_id, ExecSpec spec);
    Task<Result<AttachStream>> start_exec(std::string exec_id);
    Task<Result<ExecInfo>> inspect_exec(std::string exec_id);

    // --- networks
    Task<Result<std::vector<NetworkSummary>>> list_networks(Filters filters);
    Task<Result<NetworkSummary>> inspect_network(std::string id);
    Task<Result<std::string>> create_network(NetworkSpec spec);
    Task<Result<void>> remove_network(std::string id);
    /// 403 "already exists in network" comes back as conflict; callers may treat it as joined.
    Task<Result<void>> connect_network(std::string network,
                                       std::string container,
                                       std::vector<std::string> aliases);
    /// 500 "is not connected" comes back as conflict; callers may treat it as left.
    Task<Result<void>> disconnect_network(std::string network, std::string container, bool force);

    // --- images
    Task<Result<ImageInfo>> inspect_image(std::string name);
    /// Pulls image:tag (tag is always sent: without it the daemon pulls every tag). Errors inside
    /// the stream, and a stream that ends without a final "Status:" line, are stream_error.
    Task<Result<void>> pull_image(std::string image,
                                  std::string tag,
                                  std::function<void(const PullProgress&)> on_progress);

    // --- events
    /// Opens /events; returns once the daemon has sent the headers (the subscription exists).
    Task<Result<EventStream>> events(EventsOptions options);

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace dockerapi

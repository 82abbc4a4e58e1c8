// The Docker JSON models over any body (first byte: which answer it is read as): a model or an
// error, never an exception, whatever the daemon (or something in its place) sends.
#include <string>

#include "fuzz_input.hpp"
#include "json_models.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace dockerapi::detail;  // NOLINT(google-build-using-namespace)
    bk::fuzz::FuzzInput in(data, size);
    const auto which = in.byte();
    const auto body = in.rest();
    switch (which % 14) {
        case 0:
            (void)parse_version(body);
            break;
        case 1:
            (void)parse_info(body);
            break;
        case 2:
            (void)parse_container_list(body);
            break;
        case 3:
            (void)parse_container_inspect(body);
            break;
        case 4:
            (void)parse_created(body);
            break;
        case 5:
            (void)parse_wait(body);
            break;
        case 6:
            (void)parse_exec_inspect(body);
            break;
        case 7:
            (void)parse_id(body);
            break;
        case 8:
            (void)parse_network_list(body);
            break;
        case 9:
            (void)parse_network(body);
            break;
        case 10:
            (void)parse_image(body);
            break;
        case 11:
            (void)parse_event(body);
            break;
        case 12:
            (void)parse_pull_line(body);
            break;
        default:
            (void)error_message_from_body(body);
            break;
    }
    return 0;
}

// The tar reader over any bytes: an archive or an error, never an exception or a read out of
// bounds; what it reads, make_tar writes again and read_tar reads back the same.
#include <string>

#include "dockerapi/tar.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto files = dockerapi::read_tar(bytes);
    if (!files)
        return 0;
    std::size_t content = 0;
    for (const auto& f : *files)
        content += f.content.size();
    BK_FUZZ_CHECK(content <= size);
    auto again = dockerapi::make_tar(*files);
    if (!again)
        return 0;  // a path make_tar cannot write (ustar's limits)
    auto back = dockerapi::read_tar(*again);
    BK_FUZZ_CHECK(back);
    BK_FUZZ_CHECK(back->size() == files->size());
    for (std::size_t i = 0; i < files->size(); ++i) {
        BK_FUZZ_CHECK((*back)[i].content == (*files)[i].content);
        BK_FUZZ_CHECK((*back)[i].mode == (*files)[i].mode);
    }
    return 0;
}

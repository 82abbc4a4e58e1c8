#include "dockerapi/stream_demux.hpp"

#include <algorithm>

namespace dockerapi {

std::optional<StreamPiece> StreamDemux::next(std::span<const char>& input) {
    while (status_ == Status::ok && !input.empty()) {
        if (remaining_ == 0) {
            // Collect a header; it may arrive split over several reads.
            const std::size_t take = std::min(header_.size() - header_have_, input.size());
            std::copy_n(reinterpret_cast<const unsigned char*>(input.data()),
                        take,
                        header_.begin() + static_cast<std::ptrdiff_t>(header_have_));
            header_have_ += take;
            input = input.subspan(take);
            if (header_have_ < header_.size()) {
                return std::nullopt;
            }
            header_have_ = 0;
            if (header_[0] > 2 || header_[1] != 0 || header_[2] != 0 || header_[3] != 0) {
                status_ = Status::corrupt;
                return std::nullopt;
            }
            kind_ = static_cast<StreamKind>(header_[0]);
            remaining_ = (std::uint32_t{header_[4]} << 24) | (std::uint32_t{header_[5]} << 16) |
                         (std::uint32_t{header_[6]} << 8) | std::uint32_t{header_[7]};
            continue;  // an empty frame is legal: read the next header
        }
        const std::size_t take = std::min<std::size_t>(remaining_, input.size());
        StreamPiece piece{kind_, input.first(take)};
        input = input.subspan(take);
        remaining_ -= static_cast<std::uint32_t>(take);
        return piece;
    }
    return std::nullopt;
}

}  // namespace dockerapi

#include "domain/output_tail.hpp"

namespace bk::domain {

void OutputTail::append(std::string_view chunk) {
    if (chunk.size() >= keep_) {
        text_.assign(chunk.substr(chunk.size() - keep_));
        return;
    }
    const std::size_t total = text_.size() + chunk.size();
    if (total > keep_)
        text_.erase(0, total - keep_);
    text_.append(chunk);
}

}  // namespace bk::domain

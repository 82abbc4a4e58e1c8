#include "support/test_env.hpp"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

namespace bk::testing {

std::string test_image(const std::string& key) {
    if (const char* v = std::getenv(key.c_str()); v != nullptr && *v != '\0') {
        return v;
    }
    std::ifstream in(std::string(BK_BINARY_DIR) + "/test-images.env");
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(key + "=")) {
            return line.substr(key.size() + 1);
        }
    }
    throw std::runtime_error(key + " is not set and " + BK_BINARY_DIR +
                             "/test-images.env does not name it: run scripts/build-test-images.sh");
}

TempDir::TempDir() {
    std::string tmpl = "/tmp/bk-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
        throw std::runtime_error("mkdtemp failed");
    }
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

std::string unique_suffix() {
    static std::atomic<int> counter{0};
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return std::to_string(getpid()) + "-" + std::to_string(now % 1000000) + "-" +
           std::to_string(counter++);
}

std::string read_fixture(const std::string& relative) {
    std::ifstream in(std::string(BK_FIXTURES_DIR) + "/" + relative, std::ios::binary);
    if (!in) {
        throw std::runtime_error("missing fixture " + relative);
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace bk::testing

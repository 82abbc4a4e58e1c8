#pragma once
// Where the tests find what the harness made: the test images (scripts/build-test-images.sh
// writes their names to <build>/test-images.env; the environment overrides it), temp dirs.

#include <filesystem>
#include <string>

namespace bk::testing {

/// The image named by `key` (BK_TEST_BASE_IMAGE, BK_TEST_POSTGRES_IMAGE, BK_TEST_MARIADB_IMAGE).
/// Throws when it is not known: e2e tests fail, never skip.
std::string test_image(const std::string& key);

/// A fresh directory under /tmp with a short path (unix socket paths are limited to 108 bytes),
/// removed when the object dies.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

/// A unique suffix for names of containers and networks a test creates.
std::string unique_suffix();

/// Reads a fixture file under tests/fixtures.
std::string read_fixture(const std::string& relative);

}  // namespace bk::testing

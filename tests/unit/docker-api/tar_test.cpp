#include "dockerapi/tar.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <catch2/catch.hpp>

#include "support/result_printing.hpp"

TEST_CASE("make_tar writes entries with their mode, owner and content", "[tar]") {
    auto tar = dockerapi::make_tar({{".pgpass", "db:5432:*:postgres:pw\n", 0600, 999, 999},
                                    {"dir/my.cnf", "[client]\n", 0640, 0, 0}});
    REQUIRE(tar);
    CHECK(tar->size() % 512 == 0);

    struct archive* a = archive_read_new();
    archive_read_support_format_tar(a);
    REQUIRE(archive_read_open_memory(a, tar->data(), tar->size()) == ARCHIVE_OK);
    struct archive_entry* e = nullptr;
    REQUIRE(archive_read_next_header(a, &e) == ARCHIVE_OK);
    CHECK(std::string(archive_entry_pathname(e)) == ".pgpass");
    CHECK((archive_entry_perm(e) & 07777) == 0600);
    CHECK(archive_entry_uid(e) == 999);
    std::string content(static_cast<std::size_t>(archive_entry_size(e)), '\0');
    CHECK(archive_read_data(a, content.data(), content.size()) ==
          static_cast<la_ssize_t>(content.size()));
    CHECK(content == "db:5432:*:postgres:pw\n");
    REQUIRE(archive_read_next_header(a, &e) == ARCHIVE_OK);
    CHECK(std::string(archive_entry_pathname(e)) == "dir/my.cnf");
    CHECK((archive_entry_perm(e) & 07777) == 0640);
    CHECK(archive_read_next_header(a, &e) == ARCHIVE_EOF);
    archive_read_free(a);
}

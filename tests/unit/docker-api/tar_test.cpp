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

TEST_CASE("read_tar reads what make_tar wrote, long paths included", "[tar]") {
    const std::string long_dir(120, 'd');
    auto tar = dockerapi::make_tar({{"a.txt", "hello\n", 0644, 1, 2},
                                    {long_dir + "/b.txt", std::string(1000, 'x'), 0600, 0, 0},
                                    {"empty", "", 0400, 0, 0}});
    REQUIRE(tar);
    auto files = dockerapi::read_tar(*tar);
    REQUIRE(files);
    REQUIRE(files->size() == 3);
    CHECK((*files)[0].path == "a.txt");
    CHECK((*files)[0].content == "hello\n");
    CHECK((*files)[0].mode == 0644);
    CHECK((*files)[0].uid == 1);
    CHECK((*files)[0].gid == 2);
    CHECK((*files)[1].path == long_dir + "/b.txt");
    CHECK((*files)[1].content == std::string(1000, 'x'));
    CHECK((*files)[2].content.empty());

    CHECK_FALSE(dockerapi::make_tar({{std::string(300, 'n'), "x", 0600, 0, 0}}));
}

TEST_CASE("read_tar reads pax and GNU long names written by libarchive", "[tar]") {
    const std::string long_name = std::string(150, 'p') + ".sql";  // no '/': needs pax or GNU
    for (int format : {ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FORMAT_TAR_GNUTAR}) {
        std::string out;
        struct archive* a = archive_write_new();
        REQUIRE(archive_write_set_format(a, format) == ARCHIVE_OK);
        REQUIRE(archive_write_open(
                    a,
                    &out,
                    nullptr,
                    [](struct archive*, void* client, const void* buf, size_t n) -> la_ssize_t {
                        static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
                        return static_cast<la_ssize_t>(n);
                    },
                    nullptr) == ARCHIVE_OK);
        struct archive_entry* dir = archive_entry_new();
        archive_entry_set_pathname(dir, "sub/");
        archive_entry_set_filetype(dir, AE_IFDIR);
        archive_entry_set_perm(dir, 0755);
        REQUIRE(archive_write_header(a, dir) == ARCHIVE_OK);
        archive_entry_free(dir);
        struct archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, long_name.c_str());
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0640);
        archive_entry_set_size(e, 4);
        REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
        REQUIRE(archive_write_data(a, "data", 4) == 4);
        archive_entry_free(e);
        REQUIRE(archive_write_close(a) == ARCHIVE_OK);
        archive_write_free(a);

        auto files = dockerapi::read_tar(out);
        REQUIRE(files);
        REQUIRE(files->size() == 1);  // the directory is skipped
        CHECK((*files)[0].path == long_name);
        CHECK((*files)[0].content == "data");
        CHECK((*files)[0].mode == 0640);

        auto cut = dockerapi::read_tar(std::string_view(out).substr(0, 1024));
        CHECK_FALSE(cut);
        std::string flipped = out;
        flipped[0] ^= 1;
        CHECK_FALSE(dockerapi::read_tar(flipped));
    }
}

TEST_CASE("read_tar: every cut of an archive is an error, never an exception", "[tar]") {
    // The last entry's data ends mid-block: a cut inside its padding moved the offset past the
    // end, and the next header's substr threw std::out_of_range.
    auto tar = dockerapi::make_tar(
        {{"a.txt", "hello\n", 0644, 0, 0}, {"b.txt", std::string(700, 'b'), 0600, 0, 0}});
    REQUIRE(tar);
    // (One of its two closing zero blocks is enough, as for GNU tar.)
    for (std::size_t n = 0; n < tar->size() - 512; ++n) {
        INFO("cut at " << n);
        dockerapi::Result<std::vector<dockerapi::TarEntry>> files;
        REQUIRE_NOTHROW(files = dockerapi::read_tar(std::string_view(*tar).substr(0, n)));
        CHECK_FALSE(files);
    }
}

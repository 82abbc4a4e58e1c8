#pragma once
// Fake of domain::DatabaseRestorer: records what it was asked and fails every load (tests of
// what happens before any data moves), or with `load_ok` takes every load whole (keeping what
// it was given in `loaded`) and counts `rows`.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "domain/ports/restore_ports.hpp"

namespace bk::testing {

class FakeRestorer final : public domain::DatabaseRestorer {
public:
    int clones{0};
    int loads{0};      ///< loads opened
    int finished{0};   ///< loads that saw the end of their input (committed)
    int aborted{0};    ///< loads killed before the end of their input (rolled back)
    int discarded{0};  ///< scratch servers removed
    bool load_ok{false};
    std::string loaded;                         ///< the bytes of every finished load
    std::map<std::string, std::uint64_t> rows;  ///< what count_rows finds
    std::vector<std::string> loaded_into;       ///< container name of each load opened
    std::function<void()> on_open;              ///< called as each load opens (tests look around)

    Task<Result<std::unique_ptr<domain::RestoreLoad>>> open_load(const domain::Target& into,
                                                                 std::string,
                                                                 std::string) override {
        ++loads;
        loaded_into.push_back(into.container_name);
        if (on_open)
            on_open();
        if (load_ok)
            co_return std::unique_ptr<domain::RestoreLoad>(new Load(*this));
        co_return Failure{errc::internal, "the fake restorer loads nothing"};
    }
    Task<Result<std::map<std::string, std::uint64_t>>> count_rows(const domain::Target&,
                                                                  std::string,
                                                                  std::vector<std::string>,
                                                                  std::string) override {
        co_return rows;
    }
    Task<Result<domain::Target>> clone(const domain::Target& t,
                                       bool scratch,
                                       std::string run_id) override {
        ++clones;
        domain::Target copy = t;
        if (scratch) {
            copy.container_name = t.container_name + "-drill";
            copy.container_id = "drill-" + run_id;
        } else {
            // As the real one names and places a --new-container copy.
            copy.container_name = t.container_name + "-restored-" + run_id.substr(0, 16);
            copy.container_id = "copy-" + run_id;
        }
        co_return copy;
    }
    Task<Result<domain::Target>> server_in(const domain::Target& t, std::string) override {
        co_return t;
    }
    Task<Result<void>> wait_ready(const domain::Target&,
                                  std::chrono::seconds,
                                  std::string) override {
        co_return Result<void>{};
    }
    Task<void> discard(const domain::Target&) override {
        ++discarded;
        co_return;
    }
    Task<Result<std::unique_ptr<domain::RestoreLoad>>> open_files_load(const domain::Target&,
                                                                       std::string,
                                                                       std::string) override {
        ++loads;
        co_return Failure{errc::internal, "the fake restorer loads nothing"};
    }

private:
    class Load final : public domain::RestoreLoad {
    public:
        explicit Load(FakeRestorer& r) : r_(r) {}
        Task<Result<void>> write(std::span<const char> data) override {
            data_.append(data.data(), data.size());
            co_return Result<void>{};
        }
        Task<Result<void>> finish() override {
            ++r_.finished;
            r_.loaded += data_;
            co_return Result<void>{};
        }
        Task<void> abort() override {
            ++r_.aborted;
            co_return;
        }

    private:
        FakeRestorer& r_;
        std::string data_;
    };
};

}  // namespace bk::testing

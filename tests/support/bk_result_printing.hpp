#pragma once
// Lets Catch print a bk::Result in a failed assertion: "ok" or the failure's message.

#include <catch2/catch.hpp>

#include "core/task.hpp"

namespace Catch {
template <class T>
struct StringMaker<boost::system::result<T, bk::Failure>> {
    static std::string convert(const boost::system::result<T, bk::Failure>& r) {
        return r ? std::string("ok") : "error: " + r.error().message;
    }
};
}  // namespace Catch

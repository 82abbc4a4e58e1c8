#pragma once
// Lets Catch print a dockerapi::Result in a failed assertion: "ok" or the error's description.

#include <catch2/catch.hpp>

#include "dockerapi/errors.hpp"

namespace Catch {
template <class T>
struct StringMaker<boost::system::result<T, dockerapi::Error>> {
    static std::string convert(const boost::system::result<T, dockerapi::Error>& r) {
        return r ? std::string("ok") : "error: " + r.error().describe();
    }
};
}  // namespace Catch

# Fails when a header leaks across the rings in a way the linker cannot see:
#  - Beast only inside docker-api/src, the outbound notifiers/monitors (src/adapters/notify,
#    src/adapters/monitor) and drivers/http, and never in their headers;
#  - domain/ and application/ include no adapters, drivers, Beast, spdlog, yaml-cpp or SQLiteCpp;
#  - no public header of dockerapi includes Beast;
#  - bootstrap/ is the only composition root: drivers include no adapter header, no dockerapi
#    header and no bootstrap/parts.hpp (the adapters behind bootstrap's services), and name no
#    `dockerapi::` and no engine client (`.client`, `->client`); bootstrap's other headers (what
#    the drivers see of it) include no adapter or dockerapi header either.
#  - spdlog only in src/adapters/log/*.cpp (one logger, built in bootstrap/; the rest logs through
#    the domain::Logger port).
set(violations "")
file(GLOB_RECURSE public_headers ${ROOT}/docker-api/include/*.hpp)
foreach(f IN LISTS public_headers)
  file(STRINGS ${f} lines REGEX "#include <boost/beast|#include <nlohmann")
  if(lines)
    list(APPEND violations "${f}: ${lines}")
  endif()
endforeach()
file(GLOB_RECURSE inner ${ROOT}/src/domain/*.?pp ${ROOT}/src/application/*.?pp
                        ${ROOT}/labels/*.?pp)
foreach(f IN LISTS inner)
  file(STRINGS ${f} lines REGEX
       "#include [<\"](boost/beast|spdlog|yaml-cpp|SQLiteCpp|adapters/|drivers/|dockerapi/)")
  if(lines)
    list(APPEND violations "${f}: ${lines}")
  endif()
endforeach()
file(GLOB_RECURSE everything ${ROOT}/src/*.?pp)
foreach(f IN LISTS everything)
  if(f MATCHES "\\.hpp$" OR NOT f MATCHES "/(drivers/http|adapters/notify|adapters/monitor)/")
    file(STRINGS ${f} lines REGEX "#include <boost/beast")
    if(lines)
      list(APPEND violations "${f}: ${lines}")
    endif()
  endif()
endforeach()
file(GLOB_RECURSE drivers ${ROOT}/src/drivers/*.?pp)
foreach(f IN LISTS drivers)
  file(STRINGS ${f} lines REGEX
       "#include [<\"](adapters/|dockerapi/|bootstrap/parts\\.hpp)|dockerapi::|[.>]client[^_a-zA-Z0-9]")
  if(lines)
    list(APPEND violations "${f}: ${lines}")
  endif()
endforeach()
file(GLOB bootstrap_headers ${ROOT}/src/bootstrap/*.hpp)
foreach(f IN LISTS bootstrap_headers)
  if(NOT f MATCHES "/parts\\.hpp$")
    file(STRINGS ${f} lines REGEX "#include [<\"](adapters/|dockerapi/)")
    if(lines)
      list(APPEND violations "${f}: ${lines}")
    endif()
  endif()
endforeach()
foreach(f IN LISTS everything)
  if(f MATCHES "\\.hpp$" OR NOT f MATCHES "/src/adapters/log/")
    file(STRINGS ${f} lines REGEX "#include [<\"]spdlog/")
    if(lines)
      list(APPEND violations "${f}: ${lines}")
    endif()
  endif()
endforeach()
if(violations)
  list(JOIN violations "\n" text)
  message(FATAL_ERROR "layering violations:\n${text}")
endif()
message(STATUS "layering: ok")

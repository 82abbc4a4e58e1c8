# Fails when code compares a run, step or drill state (or the safety snapshot's tag) as a string:
# states are enums (src/domain/run_status.hpp); their strings are made and parsed there alone,
# and written or read only at the boundary (audit adapter, JSON, CLI printing) through to_string
# and parse_*. Catches `x == "ok"`, `"success" != x` and the like in src/ (C++ only; the
# dashboard's JavaScript reads the JSON and is not scanned).
set(states "ok|success|failed|running|partial|skipped|crashed|passed|passed-empty|pre-restore")
set(violations "")
set(n 0)
file(GLOB_RECURSE sources ${ROOT}/src/*.cpp ${ROOT}/src/*.hpp)
foreach(f IN LISTS sources)
  if(f MATCHES "/src/domain/run_status\\.cpp$")
    continue()
  endif()
  file(STRINGS ${f} lines REGEX "[=!]=[ ]*\"(${states})\"|\"(${states})\"[ ]*[=!]=")
  # (a line with a ';' would split as a list: count the matches in the joined text instead)
  string(REGEX MATCHALL "[=!]=[ ]*\"(${states})\"|\"(${states})\"[ ]*[=!]=" hits "${lines}")
  list(LENGTH hits k)
  if(k GREATER 0)
    math(EXPR n "${n} + ${k}")
    string(REPLACE ";" "\n  " shown "${lines}")
    string(APPEND violations "${f}:\n  ${shown}\n")
  endif()
endforeach()
if(n GREATER 0)
  message(FATAL_ERROR
          "${n} states compared as strings (use the enums of domain/run_status.hpp):\n${violations}")
endif()
message(STATUS "status literals: none")

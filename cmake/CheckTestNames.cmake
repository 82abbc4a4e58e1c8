# Fails on a Catch2 test name that ctest cannot run as written: a ';' splits it into two
# (each then "passes" by matching nothing) and a leading '-' is taken for an option.
file(GLOB_RECURSE sources ${ROOT}/tests/*.cpp)
set(bad "")
foreach(f IN LISTS sources)
  file(STRINGS ${f} lines REGEX "TEST_CASE\\(\"(-|[^\"]*;)")
  if(lines)
    list(APPEND bad "${f}: ${lines}")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "test names ctest cannot run (';' or a leading '-'):\n${bad}")
endif()

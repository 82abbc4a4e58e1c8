# bk::options: warnings, -Werror and sanitizers, linked PRIVATE by every project target.
add_library(bk_options INTERFACE)
add_library(bk::options ALIAS bk_options)
target_compile_options(bk_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wnon-virtual-dtor
  -Woverloaded-virtual -Wimplicit-fallthrough
  # g++ 12 reports Asio's coroutine frame allocator (operator new + free) as a mismatch when the
  # frame is inlined: a false positive.
  -Wno-mismatched-new-delete
  # Designated initialisers leave defaulted members out on purpose.
  -Wno-missing-field-initializers)
if(BK_WERROR)
  target_compile_options(bk_options INTERFACE -Werror)
endif()
if(BK_SANITIZE)
  string(REPLACE ";" "," _bk_san "${BK_SANITIZE}")
  # Every finding aborts, except the vptr check's, which is recoverable so that a suppression
  # file can reach it (an unrecoverable report cannot be suppressed); UBSAN_OPTIONS'
  # halt_on_error=1 (scripts/test.sh) still makes it fatal. One test needs that suppression:
  # with no descriptor left the check cannot probe memory (tests/CMakeLists.txt).
  target_compile_options(bk_options INTERFACE -fsanitize=${_bk_san} -fno-omit-frame-pointer
                                              -fno-sanitize-recover=all -fsanitize-recover=vptr)
  target_link_options(bk_options INTERFACE -fsanitize=${_bk_san})
endif()
# Asio and Beast are compiled in their own translation units only where used.
add_compile_definitions(BOOST_ASIO_NO_DEPRECATED)

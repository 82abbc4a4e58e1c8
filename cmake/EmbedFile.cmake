# Writes OUT: a C++ file defining NAME (in namespace NS) as the text of IN, a raw string literal.
# Used for the dashboard page, so the binary serves it without files beside it.
file(READ "${IN}" content)
string(FIND "${content}" ")BKEMBED\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string delimiter")
endif()
file(WRITE "${OUT}" "// Generated from ${IN} by cmake/EmbedFile.cmake: do not edit.\n"
                    "namespace ${NS} {\nextern const char* const ${NAME};\n"
                    "const char* const ${NAME} = R\"BKEMBED(${content})BKEMBED\";\n}\n")

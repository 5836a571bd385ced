# The tree-sitter-python grammar, from the npm registry tarball that
# `scripts/dev grammar` fetches (Debian has no package for it). The pinned
# version is ABI 14, which Debian 12's libtree-sitter 0.20.7 loads; the
# SHA-512 is checked again here so a swapped file never builds.
set(_grammar_dir "${PROJECT_SOURCE_DIR}/third_party")
file(STRINGS "${_grammar_dir}/tree-sitter-python.sha512" _lock LIMIT_COUNT 1)
string(REGEX MATCH "^([0-9a-f]+)  (.+)$" _ "${_lock}")
set(_expected "${CMAKE_MATCH_1}")
set(_tarball "${_grammar_dir}/${CMAKE_MATCH_2}")
if(NOT EXISTS "${_tarball}")
  message(FATAL_ERROR "${_tarball} is missing: run `scripts/dev grammar` first")
endif()
file(SHA512 "${_tarball}" _actual)
if(NOT _actual STREQUAL _expected)
  message(FATAL_ERROR "${_tarball}: SHA-512 ${_actual} does not match the pinned ${_expected}")
endif()
set(_src "${CMAKE_BINARY_DIR}/tree-sitter-python")
if(NOT EXISTS "${_src}/${_expected}.stamp")
  file(REMOVE_RECURSE "${_src}")
  file(ARCHIVE_EXTRACT INPUT "${_tarball}" DESTINATION "${_src}" PATTERNS package/src)
  file(TOUCH "${_src}/${_expected}.stamp")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${_grammar_dir}/tree-sitter-python.sha512")

add_library(tree_sitter_python STATIC
  "${_src}/package/src/parser.c" "${_src}/package/src/scanner.c")
target_include_directories(tree_sitter_python PRIVATE "${_src}/package/src")
set_target_properties(tree_sitter_python PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
target_compile_options(tree_sitter_python PRIVATE -w)
add_library(bindscan::tree_sitter_python ALIAS tree_sitter_python)

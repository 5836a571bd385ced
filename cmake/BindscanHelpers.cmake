# Warnings are set per target, not globally, so third-party code keeps its own.
function(bindscan_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
  # GCC 12 reports std::string concatenation at -O2 as overlapping memcpy (GCC bug 105329).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  # Sanitizer instrumentation makes GCC's flow analysis report libstdc++'s own
  # std::regex and std::function internals as maybe-uninitialized.
  if(BINDSCAN_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
  if(BINDSCAN_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Embeds a text file into the binary as `extern const std::string_view SYMBOL`
# in namespace bindscan::embedded, so the shipped binary needs no data directory
# and tests read exactly the bytes that ship.
function(bindscan_embed target symbol file)
  get_filename_component(abs "${file}" ABSOLUTE)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded/${symbol}.cpp")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DSYMBOL=${symbol} -DINPUT=${abs} -DOUTPUT=${out}
            -P "${PROJECT_SOURCE_DIR}/cmake/Embed.cmake"
    DEPENDS "${abs}" "${PROJECT_SOURCE_DIR}/cmake/Embed.cmake"
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE "${out}")
endfunction()

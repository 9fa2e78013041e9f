# Each program prints "<name> <version>" for --version, the version set once in project(); the
# studio does so with no display at all (DISPLAY unset, no QT_QPA_PLATFORM), as on a server.
foreach(program IN LISTS PROGRAMS)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=DISPLAY --unset=WAYLAND_DISPLAY --unset=QT_QPA_PLATFORM
                          "${program}" --version
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err OUTPUT_STRIP_TRAILING_WHITESPACE)
  get_filename_component(name "${program}" NAME_WE)
  if(name STREQUAL "atelier")
    set(name "Atelier")
  endif()
  if(NOT rc EQUAL 0 OR NOT out STREQUAL "${name} ${VERSION}")
    message(FATAL_ERROR "${program} --version: rc=${rc} out='${out}' err='${err}' (expected '${name} ${VERSION}')")
  endif()
  message(STATUS "${out}")
endforeach()

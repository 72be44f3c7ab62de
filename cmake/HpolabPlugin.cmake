# hpolab_add_plugin(<name> SOURCES <src>... [LIBRARIES <lib>...])
#
# Builds one plugin as a MODULE named hpolab-<name>.so that links only the SDK
# (never the core), exports only hpolab_plugin_entry and refuses undefined
# symbols at link time (-Wl,-z,defs). Installed into the hpolab plugin folder.
# Used in the hpolab tree and, installed, by out-of-tree plugin projects.
include_guard(GLOBAL)

set(_HPOLAB_PLUGIN_CMAKE_DIR "${CMAKE_CURRENT_LIST_DIR}")

function(hpolab_add_plugin name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "hpolab_add_plugin(${name}): SOURCES is required")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  if(TARGET hpolab::sdk)
    target_link_libraries(${name} PRIVATE hpolab::sdk)
  else()
    target_link_libraries(${name} PRIVATE hpolab_sdk)
  endif()
  if(ARG_LIBRARIES)
    target_link_libraries(${name} PRIVATE ${ARG_LIBRARIES})
  endif()
  set(_map "${CMAKE_CURRENT_BINARY_DIR}/${name}.map")
  file(WRITE "${_map}" "{ global: hpolab_plugin_entry; local: *; };\n")
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "hpolab-${name}"
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DEFINED HPOLAB_BUILD_PLUGIN_DIR)
    set_target_properties(${name} PROPERTIES
      LIBRARY_OUTPUT_DIRECTORY "${HPOLAB_BUILD_PLUGIN_DIR}")
  endif()
  target_link_options(${name} PRIVATE "LINKER:-z,defs"
                      "LINKER:--version-script=${_map}")
  if(DEFINED HPOLAB_PLUGIN_INSTALL_DIR)
    install(TARGETS ${name} LIBRARY DESTINATION "${HPOLAB_PLUGIN_INSTALL_DIR}")
  endif()
endfunction()

# Consumer plugins (docs/plugins.md, docs/plugins.md): the public plugin ABI header and the
# plugin host (host/). Included from actors/CMakeLists.txt; the built-ins (builtin/)
# are added by the top-level CMakeLists.txt after http/, whose webhook client they use.

# The header plugin authors build against: sluice/plugin.hpp, nothing else (no link
# dependency on the hub). Plugins link only this target.
add_library(sluice_plugin_api INTERFACE)
add_library(sluice::plugin_api ALIAS sluice_plugin_api)
target_include_directories(sluice_plugin_api INTERFACE "${CMAKE_CURRENT_LIST_DIR}/include")
target_compile_features(sluice_plugin_api INTERFACE cxx_std_17)
# `cmake --install build` puts the header where out-of-tree plugins find it.
install(FILES "${CMAKE_CURRENT_LIST_DIR}/include/sluice/plugin.hpp" DESTINATION include/sluice)

target_sources(sluice_actors PRIVATE
  "${CMAKE_CURRENT_LIST_DIR}/host/host_api.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/host/plugin_host.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/host/plugin_host_async.cpp"
  "${CMAKE_CURRENT_LIST_DIR}/host/plugin_outcome.cpp")
target_link_libraries(sluice_actors PUBLIC sluice_plugin_api Threads::Threads
                      PRIVATE ${CMAKE_DL_LIBS})

# sluice_add_plugin(<target> <plugin-name> <output-dir> <source>...)
# Builds a consumer plugin as a MODULE library `<output-dir>/<plugin-name>.so` against the
# header target only, with the project's warnings and hidden visibility (only
# sluice_plugin_entry is exported), and checks that it needs no symbol from the hub.
function(sluice_add_plugin target name dir)
  add_library(${target} MODULE ${ARGN})
  target_link_libraries(${target} PRIVATE sluice_plugin_api)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Werror)
  if(NOT SLUICE_SANITIZE)
    target_link_options(${target} PRIVATE LINKER:--no-undefined)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${name}"
    SUFFIX ".so"
    LIBRARY_OUTPUT_DIRECTORY "${dir}"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
endfunction()

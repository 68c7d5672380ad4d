# Test-only plugins for tests/unit/plugins and the wiring of unit_tests to every plugin it
# loads. Included from tests/unit/CMakeLists.txt after unit_tests exists; examples/ (the
# log and backoff plugins) is added before tests/ in the top-level CMakeLists.txt.
set(SLUICE_TEST_PLUGIN_OUTPUT_DIR "${CMAKE_BINARY_DIR}/test-plugins")
set(_sluice_test_plugins throws sleepy abi2 declines no_entry scripted deferred)
foreach(_name IN LISTS _sluice_test_plugins)
  sluice_add_plugin(sluice_test_plugin_${_name} ${_name} "${SLUICE_TEST_PLUGIN_OUTPUT_DIR}"
                    "${CMAKE_CURRENT_LIST_DIR}/${_name}_plugin.cpp")
  add_dependencies(unit_tests sluice_test_plugin_${_name})
endforeach()

add_dependencies(unit_tests sluice_plugin_log sluice_plugin_backoff)
target_compile_definitions(unit_tests PRIVATE
  SLUICE_TEST_PLUGIN_DIR="$<TARGET_FILE_DIR:sluice_plugin_log>"
  SLUICE_TEST_ONLY_PLUGIN_DIR="${SLUICE_TEST_PLUGIN_OUTPUT_DIR}")

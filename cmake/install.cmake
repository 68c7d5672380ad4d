# `cmake --install` and the Debian package (`cpack -G DEB`): what goes where
# (docs/operations.md, "Installing the package"). Included last from the top-level
# CMakeLists.txt, after every target exists.
include(GNUInstallDirs)

# The server. Its built-in plugins, webhook and file-sink, are compiled into it
# (actors/plugins/builtin/); the plugins that ship as files are the examples.
install(TARGETS sluice RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# lib/ and not ${CMAKE_INSTALL_LIBDIR}: a private directory of modules, the same path for
# every prefix (the example config's plugin-dir names it).
set(SLUICE_INSTALL_PLUGINDIR lib/sluice/plugins)
install(TARGETS sluice_plugin_log sluice_plugin_backoff sluice_plugin_noop
        LIBRARY DESTINATION ${SLUICE_INSTALL_PLUGINDIR})
# include/sluice/plugin.hpp is installed by actors/plugins/plugins.cmake.

file(GLOB SLUICE_DOCS "${PROJECT_SOURCE_DIR}/docs/*.md")
install(FILES "${PROJECT_SOURCE_DIR}/README.md" ${SLUICE_DOCS}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The unit and the example config hold absolute paths of the prefix installed to, which
# is known only at install time (`cmake --install --prefix`, and cpack's /usr): a script
# fills them in then (cmake/install_files.cmake).
install(CODE "
  set(SLUICE_PACKAGE_SOURCE_DIR \"${PROJECT_SOURCE_DIR}/scripts/package\")
  set(SLUICE_PACKAGE_BINARY_DIR \"${PROJECT_BINARY_DIR}/package\")
  set(SLUICE_INSTALL_BINDIR \"${CMAKE_INSTALL_BINDIR}\")
  set(SLUICE_INSTALL_DOCDIR \"${CMAKE_INSTALL_DOCDIR}\")
  set(SLUICE_INSTALL_PLUGINDIR \"${SLUICE_INSTALL_PLUGINDIR}\")")
install(SCRIPT "${CMAKE_CURRENT_LIST_DIR}/install_files.cmake")

# The .deb: `cpack -G DEB` in the build directory gives sluice_<version>_<arch>.deb.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sluice)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "Sluice maintainers <maintainers@users.noreply.h-seed-880d52ae.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "self-hosted event hub with a Cloudflare-Queues-compatible API")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Sluice is a self-hosted event hub: queues with push and pull consumers, event\n\
subscriptions and plugins, behind the Cloudflare Queues REST API, with every\n\
message stored in RocksDB. This package holds the server (sluice serve) and its\n\
CLI, a systemd unit, an example configuration, the example consumer plugins and\n\
the plugin header.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The install rules put the config under /etc (an absolute path): cpack installs with
# DESTDIR for that, and CMAKE_INSTALL_PREFIX is then /usr as on the target machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
# Debug information makes the binary ten times larger and the packing slow.
set(CPACK_STRIP_FILES ON)
# The library packages come from the linked .so files (dpkg-shlibdeps, from dpkg-dev);
# adduser is for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS adduser)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/scripts/package/conffiles"
    "${PROJECT_SOURCE_DIR}/scripts/package/postinst"
    "${PROJECT_SOURCE_DIR}/scripts/package/prerm"
    "${PROJECT_SOURCE_DIR}/scripts/package/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

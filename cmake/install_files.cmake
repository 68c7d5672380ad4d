# Run by `cmake --install` and cpack (installed with install(SCRIPT) from
# cmake/install.cmake, which sets SLUICE_PACKAGE_SOURCE_DIR and the others): writes the
# systemd unit and the example config for the prefix being installed to, and installs
# them. The config goes to /etc/sluice for the prefix /usr (as GNUInstallDirs does), else
# to <prefix>/etc/sluice, and is left alone if it is there already: `cmake --install`
# must not overwrite a config someone edited (dpkg handles that for the package's
# conffile). A copy always goes to share/doc/sluice/examples.
set(prefix "${CMAKE_INSTALL_PREFIX}")
if(prefix STREQUAL "/usr")
  set(sysconf "/etc/sluice")
else()
  set(sysconf "${prefix}/etc/sluice")
endif()
set(SLUICE_BIN "${prefix}/${SLUICE_INSTALL_BINDIR}/sluice")
set(SLUICE_CONFIG "${sysconf}/sluice.toml")
set(SLUICE_ENV_FILE "${sysconf}/sluice.env")
set(SLUICE_DOC_DIR "${prefix}/${SLUICE_INSTALL_DOCDIR}")
set(SLUICE_PLUGIN_DIR "${prefix}/${SLUICE_INSTALL_PLUGINDIR}")

set(out "${SLUICE_PACKAGE_BINARY_DIR}")
configure_file("${SLUICE_PACKAGE_SOURCE_DIR}/sluice.service.in" "${out}/sluice.service" @ONLY)
configure_file("${SLUICE_PACKAGE_SOURCE_DIR}/sluice.toml.in" "${out}/sluice.toml" @ONLY)

file(INSTALL "${out}/sluice.service" DESTINATION "${prefix}/lib/systemd/system")
file(INSTALL "${out}/sluice.toml" DESTINATION "${SLUICE_DOC_DIR}/examples")
if(EXISTS "$ENV{DESTDIR}${SLUICE_CONFIG}")
  message(STATUS "Keeping: $ENV{DESTDIR}${SLUICE_CONFIG} (the example is in "
                 "${SLUICE_DOC_DIR}/examples)")
else()
  file(INSTALL "${out}/sluice.toml" DESTINATION "${sysconf}")
endif()

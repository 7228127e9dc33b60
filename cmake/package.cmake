# Install rules and the Debian package (CPack DEB): `scripts/package.sh`.
# Layout (Debian FHS): berthd in sbin (root's daemon), berth in bin, the web
# UI and the image recipes under share/berth (berthd's fallback lookups,
# cmd/berthd_main.cc ApplyDefaults), the unit, the default config and the
# logrotate file from packaging/debian/.
include(GNUInstallDirs)

set(BERTH_PKG_DIR ${CMAKE_SOURCE_DIR}/packaging/debian)

if(TARGET berthd)
  install(TARGETS berthd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
endif()
if(TARGET berth)
  install(TARGETS berth RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
# The built UI (npm run build); scripts/package.sh builds it first.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/web/dist/ DESTINATION ${CMAKE_INSTALL_DATADIR}/berth/web
        OPTIONAL)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/recipes/ DESTINATION ${CMAKE_INSTALL_DATADIR}/berth/recipes)
install(FILES ${BERTH_PKG_DIR}/berthd.service DESTINATION lib/systemd/system)
install(FILES ${BERTH_PKG_DIR}/berthd.toml DESTINATION /etc/berth PERMISSIONS OWNER_READ
        OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${BERTH_PKG_DIR}/berth.logrotate DESTINATION /etc/logrotate.d RENAME berth)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/docs/operations.md
              ${CMAKE_SOURCE_DIR}/docs/cli.md ${CMAKE_SOURCE_DIR}/docs/security.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME berth)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Berth maintainers <berth@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "compute sessions in containers with storage folders")
set(CPACK_PACKAGE_DESCRIPTION
    "Berth runs isolated container sessions (runc or Docker) with storage folders\nbind-mounted into them: berthd (REST API, web UI), the berth CLI, image recipes\nand a systemd unit.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # berth_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/berth/berth")
# Shared libraries from dpkg-shlibdeps; runtime tools from scripts/deps.sh `run=`.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "runc, tini, mmdebstrap, ca-certificates, iproute2, util-linux, iptables")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "btrfs-progs, logrotate")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "docker.io")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${BERTH_PKG_DIR}/conffiles ${BERTH_PKG_DIR}/postinst ${BERTH_PKG_DIR}/prerm
    ${BERTH_PKG_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)

# `cpack -G DEB` in a build tree (docs/embedding.md, "A Debian package"):
# corouter_VERSION_amd64.deb with what `cmake --install` installs (the
# binaries, the archives and headers, the package config, the .proto files)
# plus the systemd unit (deploy/systemd/corouter.service) and the README.
# Depends is computed by dpkg-shlibdeps (Debian's dpkg-dev) from the
# binaries' shared libraries, so it names exactly the bookworm runtime
# packages they link (libgrpc++1.51, libprotobuf32, libabsl20220623, ...).
# tests/package/deb_test.sh builds, installs and removes it.
install(FILES deploy/systemd/corouter.service DESTINATION lib/systemd/system COMPONENT runtime)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)

set(CPACK_PACKAGE_NAME corouter)
set(CPACK_PACKAGE_VENDOR corouter)
set(CPACK_PACKAGE_CONTACT "corouter developers <corouter@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "FastAPI's async path-operation model as a C++20 engine behind gRPC")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The headers and archives need the -dev packages to be used (docs/embedding.md).
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libgrpc++-dev, libprotobuf-dev, libabsl-dev, nlohmann-json3-dev, libcli11-dev, libyaml-cpp-dev, libre2-dev, libcpp-httplib-dev, libssl-dev")
include(CPack)

# `cmake --install BUILD --prefix P` (docs/deployment.md, "Embedding"):
#   P/bin/corouter-server, P/bin/corouter
#   P/lib/libcorouter_*.a                 the engine, one archive per room
#   P/include/corouter/server/...          the public headers (server/CMakeLists.txt)
#   P/share/corouter/proto/...             the wire contract's .proto files
#   P/lib/cmake/corouter/                  corouterConfig.cmake, its version file
#                                          and the exported targets
# so that another project needs only
#   find_package(corouter 0.2 REQUIRED)
#   target_link_libraries(myapp PRIVATE corouter::server)
# (examples/embed/). The archives are static: the installed package carries
# what they link (gRPC, Protobuf, Abseil, nlohmann-json, yaml-cpp, RE2,
# cpp-httplib, OpenSSL, CLI11), which corouterConfig.cmake finds again.
include(CMakePackageConfigHelpers)

set(COROUTER_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/corouter)
set(COROUTER_EXPORTED_LIBRARIES
  corouter_serve corouter_grpc corouter_app corouter_routing corouter_http corouter_loop
  corouter_trace corouter_watch corouter_journal corouter_otlp corouter_metrics corouter_stats
  corouter_security corouter_proto)
install(TARGETS ${COROUTER_EXPORTED_LIBRARIES} EXPORT corouterTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(TARGETS corouter-server corouter-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  COMPONENT runtime)
install(EXPORT corouterTargets NAMESPACE corouter:: DESTINATION ${COROUTER_CMAKE_DIR}
  COMPONENT dev)
install(DIRECTORY proto/ DESTINATION ${CMAKE_INSTALL_DATADIR}/corouter/proto COMPONENT runtime
  FILES_MATCHING PATTERN "*.proto")

configure_package_config_file(cmake/corouterConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/corouterConfig.cmake INSTALL_DESTINATION ${COROUTER_CMAKE_DIR})
# 0.x: a minor version is a new contract (the wire contract may change before
# 1.0), so 0.2 accepts 0.2.* only.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/corouterConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/corouterConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/corouterConfigVersion.cmake DESTINATION ${COROUTER_CMAKE_DIR}
  COMPONENT dev)

# Installs the libraries, headers and a cspConfig.cmake that finds CAF, Boost and Threads.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS csp csp_channels csp_framework csp_options EXPORT cspTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY channels/include/ framework/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

set(csp_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/csp)
install(EXPORT cspTargets NAMESPACE csp:: DESTINATION ${csp_cmake_dir})
configure_package_config_file(cmake/cspConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/cspConfig.cmake INSTALL_DESTINATION ${csp_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/cspConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/cspConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/cspConfigVersion.cmake cmake/FindCAF.cmake
  DESTINATION ${csp_cmake_dir})

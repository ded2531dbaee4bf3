# Install rules and the exported package, so that other projects can
#   find_package(Sotto REQUIRED)
#   target_link_libraries(app PRIVATE sotto::sotto)
include(CMakePackageConfigHelpers)

set(SOTTO_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Sotto)
set(_sotto_targets sotto sotto_core sotto_ot sotto_mpc_ot sotto_he sotto_model sotto_nn ${SOTTO_BACKEND_TARGETS})
install(TARGETS ${_sotto_targets} EXPORT SottoTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/sotto DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT SottoTargets NAMESPACE sotto:: DESTINATION ${SOTTO_CMAKE_INSTALL_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/SottoConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/SottoConfig.cmake
                              INSTALL_DESTINATION ${SOTTO_CMAKE_INSTALL_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/SottoConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/SottoConfig.cmake ${PROJECT_BINARY_DIR}/SottoConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindGloo.cmake
        DESTINATION ${SOTTO_CMAKE_INSTALL_DIR})

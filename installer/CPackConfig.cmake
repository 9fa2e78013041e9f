# Packages: DEB (primary), TGZ and RPM (`cpack -G RPM` needs Debian's `rpm` package).
#   cmake --build build && (cd build && cpack -G DEB)
install(FILES ${PROJECT_SOURCE_DIR}/installer/atelier.desktop DESTINATION share/applications)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/atelier.svg DESTINATION share/icons/hicolor/scalable/apps)

set(CPACK_PACKAGE_NAME "atelier")
set(CPACK_PACKAGE_VENDOR "Atelier")
set(CPACK_PACKAGE_CONTACT "Atelier developers <dev@atelier.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Native studio for chatting with and fine-tuning LLaMA-family models")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# LibTorch falls back to reference BLAS (~40x slower) unless OpenBLAS is installed; Qt needs its SVG
# plugin for the icons; a CJK font lets the Chinese interface render.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-openmp | libopenblas0, libqt6svg6")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fonts-noto-cjk | fonts-wqy-microhei")
set(CPACK_RPM_PACKAGE_LICENSE "Proprietary")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
include(CPack)

# Installers. One version (project() in the top-level CMakeLists.txt) names every package.
#   Linux:   cmake --build build && (cd build && cpack)        -> DEB, TGZ, RPM (when rpmbuild is there)
#            scripts/package-check.sh builds them and installs the .deb into a clean Debian 12 root.
#   Windows: cpack -G NSIS        macOS: cpack -G DragNDrop     (docs/packaging.md has the steps)
# The translations are compiled into the binaries (:/i18n), so a package carries no .qm files.
if(UNIX AND NOT APPLE)
  include(GNUInstallDirs)
  install(FILES ${PROJECT_SOURCE_DIR}/installer/${ATELIER_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
  configure_file(${PROJECT_SOURCE_DIR}/installer/${ATELIER_APP_ID}.metainfo.xml
                 ${CMAKE_BINARY_DIR}/installer/${ATELIER_APP_ID}.metainfo.xml @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/installer/${ATELIER_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/atelier.svg
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps RENAME ${ATELIER_APP_ID}.svg)
  foreach(size 16 24 32 48 64 128 256 512)
    install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/hicolor/atelier-${size}.png
            DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps RENAME ${ATELIER_APP_ID}.png)
  endforeach()
  foreach(page atelier atelier-cli atelier-train)  # man pages, compressed as Debian policy asks
    set(_page ${PROJECT_SOURCE_DIR}/installer/man/${page}.1)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_page})
    execute_process(COMMAND gzip -9nc ${_page} OUTPUT_FILE ${CMAKE_BINARY_DIR}/installer/${page}.1.gz)
    install(FILES ${CMAKE_BINARY_DIR}/installer/${page}.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  endforeach()
endif()

set(CPACK_PACKAGE_NAME "atelier")
set(CPACK_PACKAGE_VENDOR "Atelier")
set(CPACK_PACKAGE_CONTACT "Atelier developers <dev@atelier.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Native studio for chatting with and fine-tuning LLaMA-family models")
set(CPACK_PACKAGE_DESCRIPTION
    "Atelier chats with LLaMA-family models you keep on your computer about the images, audio and video you drop in, and fine-tunes your own adapters (LoRA, LLaMA-Adapter) in the background with live loss curves. Native C++, Qt and LibTorch: no Python, no network.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_INSTALL_DIRECTORY "Atelier")
set(CPACK_PACKAGE_EXECUTABLES "atelier" "Atelier")
set(CPACK_STRIP_FILES ON)  # the RelWithDebInfo binaries are ~5x larger with their debug info

if(UNIX AND NOT APPLE)
  set(CPACK_GENERATOR "DEB;TGZ")
  find_program(ATELIER_RPMBUILD rpmbuild)
  if(ATELIER_RPMBUILD)
    list(APPEND CPACK_GENERATOR "RPM")
  endif()
  set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/installer/CPackProjectConfig.cmake)  # /usr for DEB, RPM

  # DEB: the libraries' packages come from the binaries (dpkg-shlibdeps); the rest is loaded at run
  # time and no ELF header names it: OpenBLAS (LibTorch falls back to reference BLAS, ~40x slower,
  # without it), Qt's SVG plugins (every icon is an SVG). Fonts for Chinese and Japanese, and Qt's
  # own translations (dialog buttons), are recommended.
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION "science")
  set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-openmp | libopenblas0, libqt6svg6")
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fonts-noto-cjk | fonts-wqy-microhei, qt6-translations-l10n")

  # RPM (built, not installed here): the library requirements come from the binaries (AutoReq).
  set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
  set(CPACK_RPM_PACKAGE_LICENSE "Proprietary")
  set(CPACK_RPM_PACKAGE_GROUP "Applications/Engineering")
  set(CPACK_RPM_PACKAGE_AUTOREQ ON)
  set(CPACK_RPM_PACKAGE_REQUIRES "openblas")
  set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")  # no /usr/lib/.build-id links
  set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
      /usr/share/applications /usr/share/metainfo /usr/share/icons /usr/share/icons/hicolor /usr/share/man
      /usr/share/man/man1)
  foreach(size scalable 16x16 24x24 32x32 48x48 64x64 128x128 256x256 512x512)
    list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION /usr/share/icons/hicolor/${size}
         /usr/share/icons/hicolor/${size}/apps)
  endforeach()

  # TGZ: relocatable. The binaries carry no absolute paths of ours (the translations and icons
  # are compiled in, atelier finds atelier-train beside itself), so bin/atelier runs from wherever
  # the archive is unpacked; the libraries are the system's (the packages the .deb depends on).
elseif(WIN32)
  # Windows: build against the official Qt and LibTorch (docs/packaging.md), then
  # windeployqt copies Qt's DLLs and plugins beside atelier.exe before NSIS packs the folder.
  set(CPACK_GENERATOR "NSIS;ZIP")
  set(CPACK_NSIS_DISPLAY_NAME "Atelier ${PROJECT_VERSION}")
  set(CPACK_NSIS_PACKAGE_NAME "Atelier")
  set(CPACK_NSIS_MUI_ICON "${PROJECT_SOURCE_DIR}/installer/windows/atelier.ico")
  set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\\\atelier.exe")
  set(CPACK_NSIS_CREATE_ICONS_EXTRA
      "CreateShortCut '$SMPROGRAMS\\\\$STARTMENU_FOLDER\\\\Atelier.lnk' '$INSTDIR\\\\bin\\\\atelier.exe'")
  set(CPACK_NSIS_DELETE_ICONS_EXTRA "Delete '$SMPROGRAMS\\\\$START_MENU\\\\Atelier.lnk'")
  set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
  set(CPACK_NSIS_MODIFY_PATH ON)  # offers to put atelier-cli on PATH
elseif(APPLE)
  # macOS: an .app bundle (MACOSX_BUNDLE on the atelier target), Qt's frameworks and plugins
  # copied in by macdeployqt, LibTorch's dylibs beside them; a drag-to-Applications disk image.
  set(CPACK_GENERATOR "DragNDrop")
  set(CPACK_DMG_VOLUME_NAME "Atelier ${PROJECT_VERSION}")
  set(CPACK_DMG_FORMAT "UDZO")
endif()

include(CPack)

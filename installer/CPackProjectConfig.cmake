# Read by cpack once per generator: the system packages install under /usr, the TGZ is a
# relocatable folder (bin/, share/) that runs from wherever it is unpacked.
if(CPACK_GENERATOR MATCHES "DEB|RPM")
  set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
else()
  set(CPACK_PACKAGING_INSTALL_PREFIX "")
endif()

# Target dh_web_dist (wasm build, part of ALL): ${CMAKE_BINARY_DIR}/dist/, the
# folder the server serves. See docs/web-dist.md for what it contains and what
# script/lib/assemble_dist.py substitutes in web/index.html and web/sw.js.

set(DH_DIST_DIR "${CMAKE_BINARY_DIR}/dist")
if(NOT TARGET dianhong_app OR NOT DH_BUILD_FONTS)
  message(STATUS "Dianhong: no web dist (needs dianhong_app and DH_BUILD_FONTS)")
  return()
endif()

file(GLOB _dh_web_files LIST_DIRECTORIES false CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/web/*")
set(_dh_icon_script "${PROJECT_SOURCE_DIR}/assets/icons/make_icons.py")
set(_dh_icon_args "")
set(_dh_icon_dep "")
if(EXISTS "${_dh_icon_script}")
  set(_dh_icon_args --icon-script "${_dh_icon_script}")
  set(_dh_icon_dep "${_dh_icon_script}")
endif()
set(_dh_dist_stamp "${CMAKE_BINARY_DIR}/dist.stamp")

add_custom_command(
  OUTPUT "${_dh_dist_stamp}"
  COMMAND /usr/bin/python3 "${PROJECT_SOURCE_DIR}/script/lib/assemble_dist.py"
          --js "$<TARGET_FILE:dianhong_app>"
          --wasm "$<TARGET_FILE_DIR:dianhong_app>/dianhong.wasm"
          --font-ui "${DH_FONT_UI}" --font-full "${DH_FONT_FULL}"
          --web "${PROJECT_SOURCE_DIR}/web" ${_dh_icon_args}
          --cache "${DH_CACHE_DIR}" --out "${DH_DIST_DIR}"
  COMMAND "${CMAKE_COMMAND}" -E touch "${_dh_dist_stamp}"
  DEPENDS dianhong_app "${DH_FONT_UI}" "${DH_FONT_FULL}" ${_dh_web_files}
          "${PROJECT_SOURCE_DIR}/script/lib/assemble_dist.py" ${_dh_icon_dep}
  COMMENT "Web dist with content-hashed names -> ${DH_DIST_DIR}"
  VERBATIM)
add_custom_target(dh_web_dist ALL DEPENDS "${_dh_dist_stamp}")
add_dependencies(dh_web_dist dh_fonts)

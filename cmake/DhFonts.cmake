# Target dh_fonts: ${DH_FONT_DIR}/dh-ui.otf (subset) and dh-full.otf (full face),
# made by assets/fonts/make_fonts.py from Debian's Noto Sans CJK SC and cached in
# ${DH_CACHE_DIR}/fonts keyed by a hash of the inputs. The UI sources are
# scanned at build time, so a new UI string's characters are in the subset.

set(DH_FONT_DIR "${CMAKE_BINARY_DIR}/fonts" CACHE INTERNAL "Where dh_fonts writes dh-ui.otf and dh-full.otf")
set(DH_FONT_UI "${DH_FONT_DIR}/dh-ui.otf")
set(DH_FONT_FULL "${DH_FONT_DIR}/dh-full.otf")
set(_dh_font_script "${PROJECT_SOURCE_DIR}/assets/fonts/make_fonts.py")
set(_dh_font_extra "${PROJECT_SOURCE_DIR}/assets/fonts/extra-chars.txt")
file(GLOB DH_UI_STRING_SOURCES CONFIGURE_DEPENDS
     "${PROJECT_SOURCE_DIR}/src/ui/*.cpp" "${PROJECT_SOURCE_DIR}/src/ui/*.h")

add_custom_command(
  OUTPUT "${DH_FONT_UI}" "${DH_FONT_FULL}"
  COMMAND /usr/bin/python3 "${_dh_font_script}"
          --out "${DH_FONT_DIR}" --cache "${DH_CACHE_DIR}/fonts"
          --extra "${_dh_font_extra}" --ui-src ${DH_UI_STRING_SOURCES}
  DEPENDS "${_dh_font_script}" "${_dh_font_extra}" ${DH_UI_STRING_SOURCES}
  COMMENT "Chinese UI fonts (Noto Sans CJK SC subset + full face)"
  VERBATIM)
add_custom_target(dh_fonts ALL DEPENDS "${DH_FONT_UI}" "${DH_FONT_FULL}")

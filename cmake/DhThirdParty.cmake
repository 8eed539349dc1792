# Third-party targets, all from Debian packages (see docs/dependencies.md):
#
#   dh_json          INTERFACE  nlohmann/json (nlohmann-json3-dev)
#   dh_catch2        INTERFACE  Catch2 v2 single header <catch2/catch.hpp> (catch2)
#   dh_sdl2          INTERFACE  SDL2: system libsdl2-dev natively; in wasm the
#                               bookworm libsdl2 2.26.5 source built with emcmake
#   dh_imgui         STATIC     Dear ImGui 1.92.x (sid source package imgui) with
#                               the SDL2 + OpenGL3 backends
#   dh_qrcodegen     STATIC     nayuki's QR Code generator 1.8.0, C++ (source package
#                               qr-code-generator), compiled into both builds
#   dh_lemon         STATIC     LEMON 1.3.1 graph library (source package liblemon):
#                               header templates + base.cc, both builds, LEMON_ONLY_TEMPLATES
#   dh_httplib       INTERFACE  cpp-httplib (libcpp-httplib-dev), native only
#   SQLite::SQLite3  IMPORTED   libsqlite3-dev, native only
#
# Under Emscripten /usr/include must never be on an include path (glibc headers
# break the wasm build), so header-only libraries are copied into
# ${CMAKE_BINARY_DIR}/third_party/include and used from there.
#
# dh_imgui is compiled with IMGUI_ENABLE_TEST_ENGINE (PUBLIC: every user sees the
# same ImGuiContext layout) and IMGUI_DISABLE_OBSOLETE_FUNCTIONS. The four hook
# functions that IMGUI_ENABLE_TEST_ENGINE requires (ImGuiTestEngineHook_ItemAdd,
# ImGuiTestEngineHook_ItemInfo, ImGuiTestEngineHook_Log,
# ImGuiTestEngine_FindItemDebugLabel) are not ours to stub: define them in a
# STATIC library target named `dh_imgui_hooks` (it may link dh_imgui); dh_imgui
# links it automatically, so every executable that uses ImGui gets them.

set(DH_SCRIPT_DIR "${CMAKE_CURRENT_LIST_DIR}/../script")
get_filename_component(DH_SCRIPT_DIR "${DH_SCRIPT_DIR}" ABSOLUTE)
set(DH_THIRD_PARTY_INCLUDE "${CMAKE_BINARY_DIR}/third_party/include")

# Run script/third-party <what>; its last output line is the cached directory.
function(_dh_third_party what outvar)
  execute_process(
    COMMAND env "DH_CACHE_DIR=${DH_CACHE_DIR}" "${DH_SCRIPT_DIR}/third-party" ${what}
    OUTPUT_VARIABLE _out RESULT_VARIABLE _rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "Dianhong: preparing third-party '${what}' failed (see the message above). "
                        "Run script/bootstrap first on a fresh machine.")
  endif()
  string(REGEX REPLACE ".*\n" "" _out "${_out}")
  set(${outvar} "${_out}" PARENT_SCOPE)
endfunction()

# Copy a header file or folder from /usr/include into the build-local include dir.
function(_dh_copy_headers rel)
  set(_src "/usr/include/${rel}")
  if(NOT EXISTS "${_src}")
    message(FATAL_ERROR "Dianhong: ${_src} is missing (script/bootstrap installs it)")
  endif()
  get_filename_component(_dest_parent "${DH_THIRD_PARTY_INCLUDE}/${rel}" DIRECTORY)
  file(COPY "${_src}" DESTINATION "${_dest_parent}")
endfunction()

# --- nlohmann/json -----------------------------------------------------------
add_library(dh_json INTERFACE)
if(EMSCRIPTEN)
  _dh_copy_headers(nlohmann)
  target_include_directories(dh_json SYSTEM INTERFACE "${DH_THIRD_PARTY_INCLUDE}")
else()
  find_package(nlohmann_json 3.10 REQUIRED)
  target_link_libraries(dh_json INTERFACE nlohmann_json::nlohmann_json)
endif()

# --- Catch2 v2 ---------------------------------------------------------------
add_library(dh_catch2 INTERFACE)
if(EMSCRIPTEN)
  _dh_copy_headers(catch2/catch.hpp)
  target_include_directories(dh_catch2 SYSTEM INTERFACE "${DH_THIRD_PARTY_INCLUDE}")
else()
  find_package(Catch2 2 REQUIRED)
  target_link_libraries(dh_catch2 INTERFACE Catch2::Catch2)
endif()

# --- SDL2 --------------------------------------------------------------------
add_library(dh_sdl2 INTERFACE)
if(EMSCRIPTEN)
  _dh_third_party(sdl2-wasm DH_SDL2_WASM_PREFIX)
  if(NOT EXISTS "${DH_SDL2_WASM_PREFIX}/lib/libSDL2.a")
    message(FATAL_ERROR "Dianhong: ${DH_SDL2_WASM_PREFIX}/lib/libSDL2.a missing; delete that folder and reconfigure")
  endif()
  target_include_directories(dh_sdl2 SYSTEM INTERFACE
    "${DH_SDL2_WASM_PREFIX}/include/SDL2" "${DH_SDL2_WASM_PREFIX}/include")
  target_link_libraries(dh_sdl2 INTERFACE "${DH_SDL2_WASM_PREFIX}/lib/libSDL2.a")
  message(STATUS "Dianhong: SDL2 for wasm from ${DH_SDL2_WASM_PREFIX}")
else()
  find_package(SDL2 REQUIRED)
  target_link_libraries(dh_sdl2 INTERFACE SDL2::SDL2)
endif()

# --- Dear ImGui 1.92.x -------------------------------------------------------
_dh_third_party(imgui DH_IMGUI_DIR)
set(DH_IMGUI_DIR "${DH_IMGUI_DIR}" CACHE INTERNAL "Dear ImGui sources (outside the clone)")
if(EXISTS "${DH_IMGUI_DIR}/debian-version.txt")
  file(STRINGS "${DH_IMGUI_DIR}/debian-version.txt" DH_IMGUI_VERSION LIMIT_COUNT 1)
else()
  get_filename_component(DH_IMGUI_VERSION "${DH_IMGUI_DIR}" NAME)
endif()
# Recorded so a build says which ImGui it used (sid moves).
file(WRITE "${CMAKE_BINARY_DIR}/imgui-version.txt" "${DH_IMGUI_VERSION}\n")

add_library(dh_imgui STATIC
  "${DH_IMGUI_DIR}/imgui.cpp"
  "${DH_IMGUI_DIR}/imgui_draw.cpp"
  "${DH_IMGUI_DIR}/imgui_widgets.cpp"
  "${DH_IMGUI_DIR}/imgui_tables.cpp"
  "${DH_IMGUI_DIR}/backends/imgui_impl_sdl2.cpp"
  "${DH_IMGUI_DIR}/backends/imgui_impl_opengl3.cpp")
target_include_directories(dh_imgui SYSTEM PUBLIC "${DH_IMGUI_DIR}" "${DH_IMGUI_DIR}/backends")
target_compile_definitions(dh_imgui PUBLIC IMGUI_ENABLE_TEST_ENGINE IMGUI_DISABLE_OBSOLETE_FUNCTIONS)
target_compile_options(dh_imgui PRIVATE -w)   # third-party code: no warnings of ours
target_link_libraries(dh_imgui PUBLIC dh_sdl2 "$<TARGET_NAME_IF_EXISTS:dh_imgui_hooks>")
if(EMSCRIPTEN)
  # WebGL2 == OpenGL ES 3.0; the backend must be told (its default on the web is ES2).
  target_compile_definitions(dh_imgui PUBLIC IMGUI_IMPL_OPENGL_ES3)
  # The GL state ImGui's backend reads back each frame comes from memory, not
  # from a synchronous round trip to the GPU process (src/platform/gl_state_cache.cpp):
  # every call that reads or sets it, here and in the app, goes through it.
  target_sources(dh_imgui PRIVATE "${PROJECT_SOURCE_DIR}/src/platform/gl_state_cache.cpp")
  target_compile_definitions(dh_imgui PUBLIC
    glGetIntegerv=dh_gl_get_integerv glGetString=dh_gl_get_string glViewport=dh_gl_viewport glScissor=dh_gl_scissor
    glBlendFunc=dh_gl_blend_func glBlendFuncSeparate=dh_gl_blend_func_separate
    glBlendEquation=dh_gl_blend_equation glBlendEquationSeparate=dh_gl_blend_equation_separate)
  # Emscripten 3.1.6's em_js.h misses an include that ImGui's EM_JS use needs.
  set_source_files_properties("${DH_IMGUI_DIR}/backends/imgui_impl_sdl2.cpp"
    PROPERTIES COMPILE_OPTIONS "-includeemscripten.h")
else()
  find_package(OpenGL REQUIRED)
  target_link_libraries(dh_imgui PUBLIC OpenGL::GL ${CMAKE_DL_LIBS})
endif()

# --- QR Code generator 1.8.0 (nayuki) ------------------------------------------
# From the source package in both builds: the wasm build cannot link Debian's
# libqrcodegencpp.so, and one source for both keeps the codes identical.
_dh_third_party(qrcodegen DH_QRCODEGEN_DIR)
add_library(dh_qrcodegen STATIC "${DH_QRCODEGEN_DIR}/cpp/qrcodegen.cpp")
target_include_directories(dh_qrcodegen SYSTEM PUBLIC "${DH_QRCODEGEN_DIR}/cpp")
target_compile_options(dh_qrcodegen PRIVATE -w)   # third-party code: no warnings of ours
target_compile_features(dh_qrcodegen PUBLIC cxx_std_17)

# --- LEMON 1.3.1 (min-cost flow for core/matching) ----------------------------
# From the source package in both builds, like qrcodegen. LEMON_ONLY_TEMPLATES
# makes lemon::INVALID a header constant; base.cc holds the few remaining
# non-template definitions (Tolerance epsilons, TimeStamp format).
_dh_third_party(lemon DH_LEMON_DIR)
add_library(dh_lemon STATIC "${DH_LEMON_DIR}/lemon/base.cc")
target_include_directories(dh_lemon SYSTEM PUBLIC "${DH_LEMON_DIR}")
target_compile_definitions(dh_lemon PUBLIC LEMON_ONLY_TEMPLATES)
target_compile_options(dh_lemon PRIVATE -w)   # third-party code: no warnings of ours
target_compile_features(dh_lemon PUBLIC cxx_std_17)

# --- Native-only: cpp-httplib and SQLite --------------------------------------
if(NOT EMSCRIPTEN)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(DH_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
  find_package(Threads REQUIRED)
  add_library(dh_httplib INTERFACE)
  target_link_libraries(dh_httplib INTERFACE PkgConfig::DH_HTTPLIB Threads::Threads)
  find_package(SQLite3 REQUIRED)   # SQLite::SQLite3
endif()

# Emscripten specifics: version check against emsdk-version.txt, the node
# module path emcc's JS optimizer needs, and the link options of the web app.
#
# dh_wasm_app_link_options(<target>
#     [FETCH]                              # add -sFETCH=1 (emscripten_fetch)
#     [EXCEPTIONS]                         # compile and link with -fexceptions
#     [EXPORTED_RUNTIME_METHODS m1 m2 ...] # default: see DH_WASM_RUNTIME_METHODS
#     [EXPORTED_FUNCTIONS _f1 _f2 ...])    # C functions the page calls (with '_'); _main is always kept
#
# Makes <target> link to dianhong.js + dianhong.wasm (never an emcc-made .html)
# with WebGL2, memory growth, IDBFS and html5. Natively it does nothing, so
# src/app/CMakeLists.txt can call it unconditionally.

set(DH_WASM_RUNTIME_METHODS ccall cwrap UTF8ToString stringToUTF8 lengthBytesUTF8 FS
    CACHE STRING "Default -sEXPORTED_RUNTIME_METHODS of dianhong_app")

if(EMSCRIPTEN)
  # --- emcc version must match emsdk-version.txt ---------------------------------
  file(READ "${CMAKE_CURRENT_LIST_DIR}/../emsdk-version.txt" DH_EMSCRIPTEN_EXPECTED)
  string(STRIP "${DH_EMSCRIPTEN_EXPECTED}" DH_EMSCRIPTEN_EXPECTED)
  execute_process(COMMAND "${CMAKE_C_COMPILER}" --version
                  OUTPUT_VARIABLE _dh_emcc_out ERROR_QUIET RESULT_VARIABLE _dh_emcc_rc)
  string(REGEX MATCH "\\) ([0-9]+\\.[0-9]+\\.[0-9]+)" _dh_m "${_dh_emcc_out}")
  set(DH_EMSCRIPTEN_VERSION "${CMAKE_MATCH_1}")
  if(NOT DH_EMSCRIPTEN_VERSION STREQUAL DH_EMSCRIPTEN_EXPECTED)
    message(FATAL_ERROR
      "Emscripten version mismatch: this project expects emcc ${DH_EMSCRIPTEN_EXPECTED} "
      "(emsdk-version.txt), but '${CMAKE_C_COMPILER} --version' reports "
      "'${DH_EMSCRIPTEN_VERSION}'. Install Debian's emscripten package "
      "(script/bootstrap), or change emsdk-version.txt on purpose and rebuild the cache.")
  endif()
  message(STATUS "Dianhong: emcc ${DH_EMSCRIPTEN_VERSION} matches emsdk-version.txt")

  # emcc's JS optimizer needs 'acorn', which Debian installs in /usr/share/nodejs
  # where node v20 does not look. Every link goes through this launcher, so a
  # plain 'cmake --build' works without NODE_PATH in the caller's environment.
  set(CMAKE_C_LINKER_LAUNCHER   env NODE_PATH=/usr/share/nodejs)
  set(CMAKE_CXX_LINKER_LAUNCHER env NODE_PATH=/usr/share/nodejs)
endif()

function(dh_wasm_app_link_options target)
  if(NOT EMSCRIPTEN)
    return()
  endif()
  cmake_parse_arguments(A "FETCH;EXCEPTIONS" "" "EXPORTED_RUNTIME_METHODS;EXPORTED_FUNCTIONS" ${ARGN})
  if(NOT A_EXPORTED_RUNTIME_METHODS)
    set(A_EXPORTED_RUNTIME_METHODS ${DH_WASM_RUNTIME_METHODS})
  endif()
  list(JOIN A_EXPORTED_RUNTIME_METHODS "," _methods)
  set(_functions _main ${A_EXPORTED_FUNCTIONS})
  list(REMOVE_DUPLICATES _functions)
  list(JOIN _functions "," _functions)

  set_target_properties(${target} PROPERTIES OUTPUT_NAME dianhong SUFFIX ".js")
  target_link_options(${target} PRIVATE
    "SHELL:-s USE_WEBGL2=1"
    "SHELL:-s MIN_WEBGL_VERSION=2"
    "SHELL:-s MAX_WEBGL_VERSION=2"
    "SHELL:-s ALLOW_MEMORY_GROWTH=1"
    "SHELL:-s ENVIRONMENT=web"
    "SHELL:-s EXPORTED_RUNTIME_METHODS=${_methods}"
    "SHELL:-s EXPORTED_FUNCTIONS=${_functions}"
    # Binaryen inlines every function that has one caller, whatever its
    # size: all screens ended up in one 360 KB function, which the browser
    # compiles (lazily, on the main thread) before the first frame, about
    # 0.35 s. Large single-caller functions stay functions of their own, so
    # only the code a frame runs is compiled (docs/web-app.md "Start-up").
    "SHELL:-s BINARYEN_EXTRA_PASSES=--one-caller-inline-max-function-size=400"
    # By default the GL layer enables every extension the browser offers when
    # the context is made, one blocking GPU round trip each (0.1-0.4 s before
    # the first frame). ImGui's WebGL2 renderer uses none of them.
    "SHELL:-s GL_SUPPORT_AUTOMATIC_ENABLE_EXTENSIONS=0"
    -lidbfs.js
    -lhtml5)
  # -DDH_WASM_PROFILING=ON keeps function names in the wasm (for browser
  # profiles: bench/page_load); off by default (a larger file).
  if(DH_WASM_PROFILING)
    target_link_options(${target} PRIVATE --profiling-funcs)
  endif()
  if(A_FETCH)
    target_link_options(${target} PRIVATE "SHELL:-s FETCH=1")
  endif()
  if(A_EXCEPTIONS)
    target_compile_options(${target} PRIVATE -fexceptions)
    target_link_options(${target} PRIVATE -fexceptions)
  endif()
endfunction()

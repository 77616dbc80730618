# TASKMILL_SANITIZE=address|thread instruments every target, tests included:
# a sanitizer only sees races and leaks in code it instruments.
if(TASKMILL_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(TASKMILL_SANITIZE STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
elseif(NOT TASKMILL_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TASKMILL_SANITIZE must be empty, 'address' or 'thread', not '${TASKMILL_SANITIZE}'")
endif()

# TASKMILL_FUZZ=ON: coverage for libFuzzer, plus address and undefined, on
# every target; the fuzz targets alone link libFuzzer (tests/fuzz).
if(TASKMILL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TASKMILL_FUZZ needs clang (CXX=clang++-14), not ${CMAKE_CXX_COMPILER_ID}")
  endif()
  if(NOT TASKMILL_SANITIZE STREQUAL "")
    message(FATAL_ERROR "TASKMILL_FUZZ brings its own sanitizers: leave TASKMILL_SANITIZE empty")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

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

# taskmill::warnings: the warning set every taskmill target compiles with.
add_library(taskmill_warnings INTERFACE)
add_library(taskmill::warnings ALIAS taskmill_warnings)
target_compile_options(taskmill_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                                   -Wold-style-cast -Wcast-align -Woverloaded-virtual)
if(TASKMILL_WERROR)
  target_compile_options(taskmill_warnings INTERFACE -Werror)
endif()

# taskmill::warnings: the warning set every taskmill target compiles with.
add_library(taskmill_warnings INTERFACE)
add_library(taskmill::warnings ALIAS taskmill_warnings)
target_compile_options(taskmill_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                                   -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                                   # GCC 12 warns on designated initializers that
                                                   # leave a defaulted field out: {.chunksize = 8}.
                                                   -Wno-missing-field-initializers)
if(TASKMILL_WERROR)
  target_compile_options(taskmill_warnings INTERFACE -Werror)
endif()

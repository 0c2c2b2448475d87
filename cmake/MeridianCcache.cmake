# Route compiles through ccache when it is installed: a rebuild after `git pull` or a
# branch switch then costs seconds on a 2-core machine instead of minutes.
find_program(MERIDIAN_CCACHE ccache)
if(MERIDIAN_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${MERIDIAN_CCACHE}")
  message(STATUS "Meridian: compiling through ccache (${MERIDIAN_CCACHE})")
endif()

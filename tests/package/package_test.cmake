# Builds and runs the consumer project against the current build installed into a fresh
# prefix, found with find_package (a); then configures it with add_subdirectory of the source
# tree and compiles its source there (b). Any failing step fails the test (cmake -P exits
# non-zero on FATAL_ERROR).
#
# cmake -DSOURCE_DIR=<csp source> -DBUILD_DIR=<csp build> -DWORK_DIR=<scratch>
#       -DGENERATOR=<gen> -DMAKE_PROGRAM=<tool> -DCXX_COMPILER=<c++> [-DCONFIG=<config>]
#       [-DSANITIZE=<list>] -P package_test.cmake

foreach(var SOURCE_DIR BUILD_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT ${var})
    message(FATAL_ERROR "package_test.cmake needs -D${var}=...")
  endif()
endforeach()

set(consumer_dir ${CMAKE_CURRENT_LIST_DIR}/consumer)
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})

set(config_args)
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()

# Flags every consumer build shares: the same toolchain as csp's build, and the sanitizer
# runtime when csp was built with one.
set(common_args -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
if(MAKE_PROGRAM)
  list(APPEND common_args -DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM})
endif()
if(SANITIZE)
  list(APPEND common_args -DCMAKE_CXX_FLAGS=-fsanitize=${SANITIZE}
    -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE})
endif()

# step(<description> <command...>): runs the command, stops the test if it fails. The
# output is kept in `step_output` for the caller.
function(step what)
  message(STATUS "package test: ${what}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "package test: ${what} failed (${rc}):\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# configure(<name> <configure args...>): configures one consumer build in WORK_DIR/<name>.
function(configure name)
  step("${name}: configure" ${CMAKE_COMMAND} -S ${consumer_dir} -B ${WORK_DIR}/${name} ${common_args} ${ARGN})
  set(configure_output "${step_output}" PARENT_SCOPE)
endfunction()

# consumer(<name> <configure args...>): configures, builds and runs one consumer build.
function(consumer name)
  configure(${name} ${ARGN})
  set(configure_output "${configure_output}" PARENT_SCOPE)
  set(dir ${WORK_DIR}/${name})
  step("${name}: build" ${CMAKE_COMMAND} --build ${dir} ${config_args} --parallel 2 --target consumer)
  file(GLOB_RECURSE exe LIST_DIRECTORIES false ${dir}/consumer ${dir}/*/consumer)
  if(NOT exe)
    message(FATAL_ERROR "package test: ${name}: no consumer executable in ${dir}")
  endif()
  list(GET exe 0 exe)
  step("${name}: run" ${exe})
  if(NOT step_output MATCHES "consumer: received 1 \\+ 2 \\+ 3 = 6\n")
    message(FATAL_ERROR "package test: ${name}: unexpected output:\n${step_output}")
  endif()
  string(STRIP "${step_output}" printed)
  message(STATUS "package test: ${name}: ${printed}")
endfunction()

# (a) The installed package.
step("install the build into ${prefix}" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix}
  ${config_args})
consumer(installed -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=${CONFIG})
if(NOT configure_output MATCHES "csp config: ${prefix}/")
  message(FATAL_ERROR "package test: find_package did not use ${prefix}:\n${configure_output}")
endif()

# (b) The source tree, added with add_subdirectory. Linking would compile csp's library once
# more (about 100 s of CPU) for what (a) has shown already; what add_subdirectory can break is
# the wiring of csp's targets, which configuring shows, and their usage requirements (include
# directories, definitions, compile features), which compiling the consumer's source shows.
configure(subdirectory -DCSP_SOURCE_DIR=${SOURCE_DIR})
if(GENERATOR STREQUAL "Ninja")
  set(object CMakeFiles/consumer.dir/main.cpp.o)
elseif(GENERATOR STREQUAL "Unix Makefiles")
  set(object main.cpp.o)
else()
  message(FATAL_ERROR "package test: no object target known for generator ${GENERATOR}")
endif()
step("subdirectory: compile" ${CMAKE_COMMAND} --build ${WORK_DIR}/subdirectory --target ${object})
message(STATUS "package test: subdirectory: consumer compiled against the source tree")

# Shared compile settings for every linkmon target: warnings, -Werror in CI, sanitizers.

set(LINKMON_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wconversion
                     -Wno-sign-conversion)
if(LINKMON_WERROR)
  list(APPEND LINKMON_WARNINGS -Werror)
endif()

if(LINKMON_SANITIZE)
  set(LINKMON_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                              -fno-omit-frame-pointer)
  # A sanitizer report needs functions and lines only: line tables keep the ASan tree a fraction
  # of the size of full debug info (CI's disk is shared) and its links fast.
  add_compile_options(${LINKMON_SANITIZER_FLAGS} -gline-tables-only)
  add_link_options(${LINKMON_SANITIZER_FLAGS})
endif()

# With LINKMON_FUZZ every library is built with coverage instrumentation so that the fuzzers see
# into the parsers they drive; only the fuzz executables link libFuzzer's main.
if(LINKMON_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# linkmon_target_defaults(target): warnings and the project's include root ("common/result.h").
function(linkmon_target_defaults target)
  target_compile_options(${target} PRIVATE ${LINKMON_WARNINGS})
endfunction()

# linkmon_library(NAME name SOURCES ... DEPS ...): one CMake library per stage folder, exported as
# linkmon::name so that link lines spell the pipeline.
function(linkmon_library)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_library(linkmon_${ARG_NAME} STATIC ${ARG_SOURCES})
  add_library(linkmon::${ARG_NAME} ALIAS linkmon_${ARG_NAME})
  target_include_directories(linkmon_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(linkmon_${ARG_NAME} PUBLIC ${ARG_DEPS})
  linkmon_target_defaults(linkmon_${ARG_NAME})
endfunction()

# linkmon_executable(NAME name SOURCES ... DEPS ...): a daemon or tool landing in build/bin/.
function(linkmon_executable)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  linkmon_target_defaults(${ARG_NAME})
endfunction()

# linkmon_test(NAME name SOURCES ... DEPS ... [LABELS ...]): one GoogleTest binary, registered with
# ctest test by test so that a failure names the case.
function(linkmon_test)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  # Test binaries stay out of build/bin, which holds only what an operator runs.
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${ARG_NAME} PRIVATE
    LINKMON_SOURCE_DIR="${PROJECT_SOURCE_DIR}" LINKMON_BINARY_DIR="${CMAKE_BINARY_DIR}")
  linkmon_target_defaults(${ARG_NAME})
  include(GoogleTest)
  gtest_discover_tests(${ARG_NAME} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()

# linkmon_lab_test(NAME name SOURCES ... DEPS ... TOOL tool TOOL_SOURCES ... TOOL_DEPS ...): a test
# of the lab's kind (label lab: needs root, runs alone under the lab's resource lock, 5 minutes at
# most per test) built with the lab fixture, and the tool it runs inside the lab's namespaces.
function(linkmon_lab_test)
  cmake_parse_arguments(ARG "" "NAME;TOOL" "SOURCES;DEPS;TOOL_SOURCES;TOOL_DEPS" ${ARGN})
  add_executable(${ARG_TOOL} ${ARG_TOOL_SOURCES})
  set_target_properties(${ARG_TOOL} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/tests")
  target_link_libraries(${ARG_TOOL} PRIVATE ${ARG_TOOL_DEPS})
  linkmon_target_defaults(${ARG_TOOL})
  linkmon_test(NAME ${ARG_NAME}
    SOURCES ${ARG_SOURCES} ${PROJECT_SOURCE_DIR}/tests/lab/integration/lab_fixture.cpp
    DEPS linkmon::test_support nlohmann_json::nlohmann_json fmt::fmt ${ARG_DEPS}
    LABELS lab)
  add_dependencies(${ARG_NAME} ${ARG_TOOL} linkmon-lab)
  # The discovered tests exist only at ctest time: their properties go in an include file.
  set(properties "${CMAKE_CURRENT_BINARY_DIR}/${ARG_NAME}_properties.cmake")
  file(WRITE "${properties}"
    "set_tests_properties(\${${ARG_NAME}_TESTS} PROPERTIES\n"
    "  RUN_SERIAL TRUE RESOURCE_LOCK linkmon_lab TIMEOUT 300)\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${properties}")
endfunction()

# linkmon_fuzzer(NAME name SOURCES ... DEPS ... CORPUS dir): a libFuzzer target, and a ctest entry
# that runs it briefly over its seed corpus so that regressions in the parser show up in CI.
function(linkmon_fuzzer)
  cmake_parse_arguments(ARG "" "NAME;CORPUS" "SOURCES;DEPS" ${ARGN})
  if(NOT LINKMON_FUZZ)
    return()
  endif()
  add_executable(${ARG_NAME} ${ARG_SOURCES})
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/fuzz")
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
  target_compile_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
  target_link_options(${ARG_NAME} PRIVATE -fsanitize=fuzzer)
  linkmon_target_defaults(${ARG_NAME})
  # libFuzzer writes new inputs into its first corpus directory: give it one in the build tree so
  # that the committed seed corpus (read-only, second) never changes.
  set(work_corpus "${CMAKE_BINARY_DIR}/fuzz/${ARG_NAME}.corpus")
  file(MAKE_DIRECTORY "${work_corpus}")
  add_test(NAME fuzz.${ARG_NAME}
           COMMAND ${ARG_NAME} -runs=20000 -max_total_time=20 -max_len=4096
                   "${work_corpus}" ${ARG_CORPUS})
  set_tests_properties(fuzz.${ARG_NAME} PROPERTIES LABELS fuzz)
endfunction()

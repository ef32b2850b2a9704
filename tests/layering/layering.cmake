# The include direction test (ctest label "layering"; docs/architecture.md).
# Each probe is a tiny object library, built only by its test, that compiles
# tests/layering/include_probe.cpp as if it were a source of one layer and
# includes one header. A forbidden include passes when the compiler reports
# the header as not found; an allowed one when it compiles. The public header
# is compiled against the public headers only.

# ptscope_layering_probe(<name> <layer> <header> ALLOWED|FORBIDDEN)
function(ptscope_layering_probe name layer header expect)
  set(target ptscope_layering_${name})
  add_library(${target} OBJECT EXCLUDE_FROM_ALL ${CMAKE_CURRENT_SOURCE_DIR}/tests/layering/include_probe.cpp)
  ptscope_layer_view_of(${target} ${layer})
  target_compile_definitions(${target} PRIVATE PTSCOPE_PROBE_HEADER="${header}")
  add_test(NAME layering_${name}
    COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target ${target})
  if(expect STREQUAL "FORBIDDEN")
    # GCC: "graph/graph.h: No such file or directory"; Clang: "'graph/graph.h' file not found".
    string(REPLACE "." "\\." header_re "${header}")
    set_tests_properties(layering_${name} PROPERTIES
      PASS_REGULAR_EXPRESSION "${header_re}'?:? (No such file|file not found)")
  endif()
  # One build of the tree at a time: each test runs the build tool in it.
  set_tests_properties(layering_${name} PROPERTIES LABELS layering TIMEOUT 120 RESOURCE_LOCK ptscope_build_tree)
endfunction()

# Upward includes (the one core/model.h had), and sideways between the
# analyses, which do not include each other.
ptscope_layering_probe(core_includes_parser core parser/pickle.h FORBIDDEN)
ptscope_layering_probe(parser_includes_graph parser graph/graph.h FORBIDDEN)
ptscope_layering_probe(stats_includes_kernels stats kernels/executor.h FORBIDDEN)
ptscope_layering_probe(report_includes_cli report cli/commands.h FORBIDDEN)
# Downward includes compile.
ptscope_layering_probe(graph_includes_parser graph parser/pickle.h ALLOWED)
ptscope_layering_probe(report_includes_kernels report kernels/executor.h ALLOWED)

# The public header against the public set alone.
set(_view ${PTSCOPE_LAYER_VIEWS}/public)
file(REMOVE_RECURSE ${_view})
foreach(_header IN LISTS PTSCOPE_PUBLIC_HEADERS)
  get_filename_component(_dir ${_view}/${_header} DIRECTORY)
  file(MAKE_DIRECTORY ${_dir})
  file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR}/${_header} ${_view}/${_header} SYMBOLIC)
endforeach()
file(MAKE_DIRECTORY ${_view}/ptscope)
file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR}/include/ptscope/ptscope.h ${_view}/ptscope/ptscope.h SYMBOLIC)
file(CREATE_LINK ${CMAKE_CURRENT_BINARY_DIR}/include/ptscope/version.h ${_view}/ptscope/version.h SYMBOLIC)
add_library(ptscope_layering_public_header OBJECT EXCLUDE_FROM_ALL
  ${CMAKE_CURRENT_SOURCE_DIR}/tests/layering/public_header_probe.cpp)
ptscope_layer_view_of(ptscope_layering_public_header public)
target_compile_options(ptscope_layering_public_header PRIVATE ${PTSCOPE_WARNINGS})
add_test(NAME layering_public_header_self_contained
  COMMAND ${CMAKE_COMMAND} --build ${CMAKE_BINARY_DIR} --target ptscope_layering_public_header)
set_tests_properties(layering_public_header_self_contained PROPERTIES LABELS layering TIMEOUT 120
  RESOURCE_LOCK ptscope_build_tree)

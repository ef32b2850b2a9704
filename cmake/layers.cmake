# The layers the build enforces (docs/architecture.md).
#
# Every source includes project headers by their path from the repository
# root ("graph/graph.h"). A layer's target does not get the repository root
# as its include directory: it gets a view, a folder of the build tree
# (layer_views/<layer>) holding one symbolic link per folder the layer may
# include: its own and those of every layer it depends on, transitively. A
# header of a higher layer is then not found, and the upward include fails to
# compile where it is written.
#
#   ptscope_add_layer(<layer> SOURCES <globs...> [DEPENDS <lower layers...>]
#                     [FOLDERS <extra folders...>])
#
# creates the object library ptscope_<layer> from the globbed sources, with
# the view of <layer>; the folder of the layer is <layer> itself. FOLDERS adds
# folders only this layer and the ones above it may include, each seen under
# its last name (include/ptscope: "ptscope/ptscope.h"). The layers of
# the library (all but cli) are listed in PTSCOPE_LIBRARY_LAYERS, in order.
#
#   ptscope_layer_view_of(<target> <layer>)
#
# compiles another target as if its sources were in <layer> (the include
# direction test in tests/layering/ uses it).

set(PTSCOPE_LAYER_VIEWS ${CMAKE_CURRENT_BINARY_DIR}/layer_views)
set(PTSCOPE_LIBRARY_LAYERS "")

function(ptscope_layer_view_of target layer)
  target_include_directories(${target} PRIVATE ${PTSCOPE_LAYER_VIEWS}/${layer})
  # What every layer's code uses: nlohmann::json in the report and stats
  # interfaces, threads, C++20, the version string.
  target_link_libraries(${target} PRIVATE nlohmann_json::nlohmann_json Threads::Threads)
  target_compile_features(${target} PRIVATE cxx_std_20)
  target_compile_definitions(${target} PRIVATE PTSCOPE_VERSION="${PROJECT_VERSION}")
endfunction()

function(ptscope_add_layer layer)
  cmake_parse_arguments(PARSE_ARGV 1 L "" "" "SOURCES;DEPENDS;FOLDERS")
  set(folders ${layer} ${L_FOLDERS})
  foreach(dep IN LISTS L_DEPENDS)
    if(NOT TARGET ptscope_${dep})
      message(FATAL_ERROR "layer ${layer} depends on ${dep}, which is not defined before it")
    endif()
    get_property(dep_folders GLOBAL PROPERTY PTSCOPE_LAYER_FOLDERS_${dep})
    list(APPEND folders ${dep_folders})
  endforeach()
  list(REMOVE_DUPLICATES folders)
  set_property(GLOBAL PROPERTY PTSCOPE_LAYER_FOLDERS_${layer} ${folders})

  # The view: rebuilt at every configure so that it always matches the rule.
  set(view ${PTSCOPE_LAYER_VIEWS}/${layer})
  file(REMOVE_RECURSE ${view})
  file(MAKE_DIRECTORY ${view})
  foreach(folder IN LISTS folders)
    # Linked by its last name (include/ptscope → ptscope). A folder that does
    # not exist yet (a new layer's) links to nothing.
    get_filename_component(name ${folder} NAME)
    file(CREATE_LINK ${CMAKE_CURRENT_SOURCE_DIR}/${folder} ${view}/${name} SYMBOLIC)
  endforeach()

  list(TRANSFORM L_SOURCES PREPEND ${CMAKE_CURRENT_SOURCE_DIR}/)
  file(GLOB sources CONFIGURE_DEPENDS ${L_SOURCES})
  add_library(ptscope_${layer} OBJECT ${sources})
  if(NOT sources)
    # An empty layer (pipeline/ before its first file) still links.
    target_sources(ptscope_${layer} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/cmake/empty_layer.cpp)
  endif()
  ptscope_layer_view_of(ptscope_${layer} ${layer})
  # One-way link dependencies: a layer links only the layers below it.
  foreach(dep IN LISTS L_DEPENDS)
    target_link_libraries(ptscope_${layer} PUBLIC ptscope_${dep})
  endforeach()
  if(NOT layer STREQUAL "cli")
    set(PTSCOPE_LIBRARY_LAYERS ${PTSCOPE_LIBRARY_LAYERS} ${layer} PARENT_SCOPE)
  endif()
endfunction()

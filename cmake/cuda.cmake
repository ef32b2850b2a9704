# The CUDA executor (kernels/cuda/): built when a CUDA compiler, the CUDA
# toolkit (cudart, cuBLAS) and cuDNN are found. PTSCOPE_CUDA=AUTO builds it
# when everything is there and says why not otherwise; ON makes a missing
# piece an error; OFF never builds it. Everything else builds unchanged.
#
# Device code is compiled for PTSCOPE_CUDA_ARCHITECTURES only (default 80;90:
# A100 and H100 class, SASS for both, no PTX) to keep CI compile time small.
set(PTSCOPE_CUDA AUTO CACHE STRING "Build the CUDA executor: AUTO, ON or OFF")
set_property(CACHE PTSCOPE_CUDA PROPERTY STRINGS AUTO ON OFF)
set(PTSCOPE_CUDA_ARCHITECTURES "80;90" CACHE STRING "CUDA architectures of the executor's kernels")
set(PTSCOPE_WITH_CUDA OFF)

function(ptscope_cuda_missing why)
  if(PTSCOPE_CUDA STREQUAL "ON")
    message(FATAL_ERROR "PTSCOPE_CUDA=ON but ${why}")
  endif()
  message(STATUS "CUDA executor: not built (${why})")
endfunction()

if(PTSCOPE_SANITIZE AND PTSCOPE_CUDA STREQUAL "AUTO")
  # -fsanitize reaches nvcc through add_compile_options, and ASan does not
  # coexist with the CUDA driver's address-space reservations.
  message(STATUS "CUDA executor: not built (sanitizer build; -DPTSCOPE_CUDA=ON to force)")
elseif(NOT PTSCOPE_CUDA STREQUAL "OFF")
  # nvcc is rarely on PATH: look in the standard install location too.
  if(NOT CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX} AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(NOT CMAKE_CUDA_COMPILER)
    ptscope_cuda_missing("no CUDA compiler was found")
  else()
    find_package(CUDAToolkit QUIET)
    get_filename_component(_ptscope_cuda_root "${CMAKE_CUDA_COMPILER}" DIRECTORY)
    get_filename_component(_ptscope_cuda_root "${_ptscope_cuda_root}" DIRECTORY)
    find_path(CUDNN_INCLUDE_DIR cudnn.h
      HINTS ${CUDAToolkit_INCLUDE_DIRS} ${_ptscope_cuda_root}/include /usr/local/cuda/include
      PATH_SUFFIXES cudnn)
    find_library(CUDNN_LIBRARY cudnn
      HINTS ${CUDAToolkit_LIBRARY_DIR} ${_ptscope_cuda_root}/lib ${_ptscope_cuda_root}/lib64
            /usr/local/cuda/lib /usr/local/cuda/lib64)
    if(NOT CUDAToolkit_FOUND OR NOT TARGET CUDA::cublas)
      ptscope_cuda_missing("the CUDA toolkit (cudart, cuBLAS) was not found")
    elseif(NOT CUDNN_INCLUDE_DIR OR NOT CUDNN_LIBRARY)
      ptscope_cuda_missing("cuDNN (cudnn.h, libcudnn) was not found")
    else()
      set(PTSCOPE_WITH_CUDA ON)
    endif()
  endif()
endif()

if(PTSCOPE_WITH_CUDA)
  # Before enable_language: every target that ends up holding CUDA objects
  # (the object library and the libraries linking it) needs architectures.
  if(NOT CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES "${PTSCOPE_CUDA_ARCHITECTURES}")
  endif()
  enable_language(CUDA)
  # The libraries holding the CUDA objects carry cxx_std_20; CMake < 3.26 does
  # not know nvcc's C++20 flag (nvcc >= 12 has it).
  if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION AND CMAKE_CUDA_COMPILER_VERSION VERSION_GREATER_EQUAL 12)
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
  endif()
  message(STATUS "CUDA executor: built (CUDA ${CUDAToolkit_VERSION}, cuDNN ${CUDNN_LIBRARY}, "
                 "architectures ${PTSCOPE_CUDA_ARCHITECTURES})")
  file(GLOB PTSCOPE_CUDA_SOURCES CONFIGURE_DEPENDS kernels/cuda/*.cpp kernels/cuda/*.cu)
  list(FILTER PTSCOPE_CUDA_SOURCES EXCLUDE REGEX "plugin_entry\\.cpp$")
  add_library(ptscope_cuda_objects OBJECT ${PTSCOPE_CUDA_SOURCES})
  # Not ptscope_usage_requirements: its cxx_std_20 feature would also ask nvcc
  # for C++20, which CMake < 3.26 does not know for CUDA 13. Host .cpp files
  # get C++20 from CMAKE_CXX_STANDARD; .cu files include no project header.
  target_include_directories(ptscope_cuda_objects PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
    ${CMAKE_CURRENT_SOURCE_DIR}/include ${CMAKE_CURRENT_BINARY_DIR}/include)
  target_link_libraries(ptscope_cuda_objects PRIVATE nlohmann_json::nlohmann_json)
  target_compile_definitions(ptscope_cuda_objects PRIVATE PTSCOPE_VERSION="${PROJECT_VERSION}" PTSCOPE_WITH_CUDA)
  set_target_properties(ptscope_cuda_objects PROPERTIES
    CUDA_ARCHITECTURES "${PTSCOPE_CUDA_ARCHITECTURES}" CUDA_STANDARD 17 CUDA_STANDARD_REQUIRED ON)
  target_include_directories(ptscope_cuda_objects PRIVATE ${CUDAToolkit_INCLUDE_DIRS} ${CUDNN_INCLUDE_DIR})
  target_compile_options(ptscope_cuda_objects PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:${PTSCOPE_WARNINGS}>
    $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr -Xcompiler=-Wall>)
  # Absolute paths: the same in this build and in the installed package.
  set(PTSCOPE_CUDA_LIBS ${CUDNN_LIBRARY})
  foreach(_lib cublas cudart)
    get_target_property(_loc CUDA::${_lib} IMPORTED_LOCATION)
    list(APPEND PTSCOPE_CUDA_LIBS ${_loc})
  endforeach()

  # The plugin (kernels/backend_plugin.h): the CUDA objects, the vendor
  # libraries and a private copy of the library code they call, opened only
  # for --device cuda so that no other process pays for loading cuBLAS/cuDNN.
  # --exclude-libs keeps the copy's symbols local; -Bsymbolic binds the
  # plugin to its own definitions whatever the host exports.
  add_library(ptscope_cuda MODULE kernels/cuda/plugin_entry.cpp)
  target_link_libraries(ptscope_cuda PRIVATE ptscope_cuda_objects ptscope_lib ${PTSCOPE_CUDA_LIBS})
  target_link_options(ptscope_cuda PRIVATE -Wl,--exclude-libs,ALL -Wl,-Bsymbolic -Wl,--no-undefined)
  target_compile_definitions(ptscope_cuda PRIVATE PTSCOPE_VERSION="${PROJECT_VERSION}" PTSCOPE_WITH_CUDA)
  target_include_directories(ptscope_cuda PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  set_target_properties(ptscope_cuda PROPERTIES
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}   # beside the ptscope program
    CUDA_ARCHITECTURES "${PTSCOPE_CUDA_ARCHITECTURES}"
    CXX_VISIBILITY_PRESET hidden
    INSTALL_RPATH_USE_LINK_PATH ON)                 # finds the CUDA libraries where they were linked from
  install(TARGETS ptscope_cuda LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/ptscope)
  # The library knows the device exists (as a plugin) and where it installs.
  foreach(_target ptscope_lib ptscope_shared)
    target_compile_definitions(${_target} PUBLIC PTSCOPE_WITH_CUDA)
  endforeach()
  foreach(_layer IN LISTS PTSCOPE_LIBRARY_LAYERS)
    target_compile_definitions(ptscope_${_layer} PUBLIC PTSCOPE_WITH_CUDA)
  endforeach()
  set_source_files_properties(kernels/backend_plugin.cpp TARGET_DIRECTORY ptscope_kernels PROPERTIES
    COMPILE_DEFINITIONS "PTSCOPE_PLUGIN_INSTALL_DIR=\"${CMAKE_INSTALL_FULL_LIBDIR}/ptscope\";PTSCOPE_PLUGIN_RELATIVE_DIR=\"${CMAKE_INSTALL_LIBDIR}/ptscope\"")
endif()

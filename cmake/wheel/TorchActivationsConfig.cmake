# CMake package of torch_activations as pip installs it: the operator library
# is the Python package's own _C*.so (the same code the CMake build of this
# repository installs as libtorch_activations.so).
#
#   cmake -DCMAKE_PREFIX_PATH="$(python -c 'import torch_activations; print(torch_activations.cmake_prefix_path)');$(python -c 'import torch; print(torch.utils.cmake_prefix_path)')" ...
#   find_package(TorchActivations REQUIRED)
#   target_link_libraries(app PRIVATE TorchActivations::TorchActivations)
#   #include <torch_activations/torch_activations.h>
include(CMakeFindDependencyMacro)
# The torch the package was built against (pip installed it beside).
find_dependency(Torch)

get_filename_component(_ta_package "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
file(GLOB _ta_library "${_ta_package}/_C*.so")
if(NOT _ta_library)
  set(TorchActivations_FOUND FALSE)
  set(TorchActivations_NOT_FOUND_MESSAGE "no compiled library _C*.so in ${_ta_package}")
  return()
endif()
list(GET _ta_library 0 _ta_library)
# The library has no SONAME (a Python extension module): the linker records
# the absolute path given here, so the program finds it without an rpath.

if(NOT TARGET TorchActivations::TorchActivations)
  add_library(TorchActivations::TorchActivations SHARED IMPORTED)
  set_target_properties(TorchActivations::TorchActivations PROPERTIES
      IMPORTED_LOCATION "${_ta_library}"
      INTERFACE_INCLUDE_DIRECTORIES "${_ta_package}/include"
      INTERFACE_LINK_LIBRARIES torch)
  include("${CMAKE_CURRENT_LIST_DIR}/TorchActivationsLinkage.cmake")
  torch_activations_keep_linked(TorchActivations::TorchActivations)
endif()
set(TorchActivations_LIBRARIES TorchActivations::TorchActivations)
unset(_ta_library)
unset(_ta_package)

# Keeps libtorch_activations in the DT_NEEDED list of whatever links it.
#
# The operators register themselves with the dispatcher when the library is
# loaded.  A program that only runs a TorchScript model using them
# (torch::jit::load) references no symbol of the library, and a linker in
# --as-needed mode (the default of Debian, Ubuntu, ...) would then drop it:
# the model would fail to load with "Unknown builtin op:
# torch_activations::...".  So the library is also passed as
# `-Wl,--push-state,--no-as-needed,<file>,--pop-state`, the way torch's
# own `torch_library` target does it for libtorch.so, without changing the
# --as-needed mode of the rest of the link line.
#
# Used by CMakeLists.txt (build tree) and TorchActivationsConfig.cmake
# (install tree).
function(torch_activations_keep_linked target)
  # Mach-O and PE linkers keep a library that is named on the link line.
  if(APPLE OR WIN32)
    return()
  endif()
  set(file "$<TARGET_FILE:${target}>")
  set(item "-Wl,--push-state$<COMMA>--no-as-needed$<COMMA>${file}$<COMMA>--pop-state")
  if(ARGN STREQUAL "BUILD_INTERFACE")
    set(item "$<BUILD_INTERFACE:${item}>")
  endif()
  set_property(TARGET ${target} APPEND PROPERTY INTERFACE_LINK_LIBRARIES "${item}")
endfunction()

// Runs a TorchScript model that uses torch_activations ops.
//
//   load_script MODEL.pt [INPUT.pt|- [OUTPUT.pt]]
//
// MODEL.pt is a torch.jit.script'ed module saved from Python.  INPUT.pt is a
// tensor saved with torch.save; without it (or with "-") the input is
// torch.linspace(-3, 3, 32).reshape(4, 8).  The output is printed and, with
// OUTPUT.pt, written with torch::jit::pickle_save (Python reads it with torch.load).
//
// This program deliberately uses no function or header of torch_activations:
// linking TorchActivations::TorchActivations is all it takes for the ops to be
// registered when the program starts (the package keeps the library in the
// executable's DT_NEEDED list even though no symbol of it is referenced).
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/script.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace {

std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::vector<char>& data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s MODEL.pt [INPUT.pt|- [OUTPUT.pt]]\n", argv[0]);
    return 2;
  }
  // Found through the dispatcher by name only: proves the library was loaded.
  const auto capability = c10::Dispatcher::singleton().findSchema(
      {"torch_activations::_get_cpu_capability", ""});
  if (!capability) {
    std::fprintf(stderr,
                 "load_script: the torch_activations ops are not registered (was "
                 "libtorch_activations dropped from the link by --as-needed?)\n");
    return 3;
  }
  std::printf("torch_activations ops registered (CPU kernels: %s)\n",
              capability->typed<std::string()>().call().c_str());

  torch::jit::Module module = torch::jit::load(argv[1]);
  module.eval();

  torch::Tensor input;
  if (argc > 2 && std::string(argv[2]) != "-") {
    input = torch::jit::pickle_load(read_file(argv[2])).toTensor();
  } else {
    input = torch::linspace(-3, 3, 32).reshape({4, 8});
  }

  torch::Tensor output;
  {
    torch::InferenceMode guard;
    output = module.forward({input}).toTensor();
  }
  std::cout << "input " << input.sizes() << " -> output " << output.sizes() << "\n"
            << output << "\n";
  if (argc > 3) {
    write_file(argv[3], torch::jit::pickle_save(output));
    std::printf("wrote %s\n", argv[3]);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "load_script: error: %s\n", e.what());
  return 1;
}

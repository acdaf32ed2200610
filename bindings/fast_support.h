// What the generated Python entry points (bindings/fast.cpp, written by
// tools/gen_api.py) share: argument checks and conversions that leave
// everything unusual to the op itself, the GIL release, the fallback to
// torch.ops.torch_activations.<op>.
#pragma once

#include <Python.h>

#include <ATen/PythonTorchFunctionTLS.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/csrc/Exceptions.h>
#include <torch/csrc/autograd/python_variable.h>

#include <string>

#include "op_handle.h"

namespace torch_activations::fast {

using detail::find;

// An exact Tensor (or Parameter) and no torch function mode: the dispatcher
// does the rest.
inline bool plain(PyObject* o) {
  return THPVariable_CheckExact(o) && !at::impl::torch_function_mode_enabled();
}
inline bool as_double(PyObject* o, double& v) {
  if (PyFloat_CheckExact(o)) {
    v = PyFloat_AS_DOUBLE(o);
    return true;
  }
  if (PyLong_CheckExact(o)) {
    v = PyLong_AsDouble(o);
    if (v == -1.0 && PyErr_Occurred()) {
      PyErr_Clear();
      return false;
    }
    return true;
  }
  return false;
}
inline bool as_int(PyObject* o, int64_t& v) {
  if (!PyLong_CheckExact(o)) return false;
  int overflow = 0;
  v = PyLong_AsLongLongAndOverflow(o, &overflow);
  if (overflow || (v == -1 && PyErr_Occurred())) {
    PyErr_Clear();
    return false;
  }
  return true;
}
inline bool as_bool(PyObject* o, bool& v) {
  if (o == Py_True || o == Py_False) {
    v = o == Py_True;
    return true;
  }
  return false;
}
inline bool as_str(PyObject* o, c10::string_view& v) {
  if (!PyUnicode_CheckExact(o)) return false;
  Py_ssize_t n = 0;
  const char* s = PyUnicode_AsUTF8AndSize(o, &n);
  if (s == nullptr) {
    PyErr_Clear();
    return false;
  }
  v = c10::string_view(s, static_cast<size_t>(n));
  return true;
}

struct NoGil {
  PyThreadState* state = PyEval_SaveThread();
  ~NoGil() { PyEval_RestoreThread(state); }
};

// torch.ops.torch_activations.<name>(*args): everything the fast path leaves.
inline PyObject* fallback(PyObject*& cache, const char* name, PyObject* const* args, Py_ssize_t nargs) {
  if (cache == nullptr) {
    PyObject* torch = PyImport_ImportModule("torch");
    if (torch == nullptr) return nullptr;
    PyObject* ops = PyObject_GetAttrString(torch, "ops");
    Py_DECREF(torch);
    if (ops == nullptr) return nullptr;
    PyObject* ns = PyObject_GetAttrString(ops, "torch_activations");
    Py_DECREF(ops);
    if (ns == nullptr) return nullptr;
    cache = PyObject_GetAttrString(ns, name);
    Py_DECREF(ns);
    if (cache == nullptr) return nullptr;
  }
  return PyObject_Vectorcall(cache, args, static_cast<size_t>(nargs), nullptr);
}

}  // namespace torch_activations::fast

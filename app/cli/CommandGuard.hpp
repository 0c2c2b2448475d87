#pragma once
// The one catch at meridian-cli's command boundary: an exception that escapes a command
// (c10::Error from LibTorch, itk::ExceptionObject, std::bad_alloc) becomes a message and an
// exit code from the table in ExitCodes.hpp instead of std::terminate's abort.

#include <exception>
#include <new>
#include <string>

#include "ExitCodes.hpp"

namespace meridian::app {

template <class Command>
int runGuarded(Command&& command) {
  try {
    return command();
  } catch (const std::bad_alloc&) {
    return fail(kExitFailure, "out of memory: the input or the model needs more memory than this machine has");
  } catch (const std::exception& e) {
    // LibTorch's messages carry a C++ stack trace after the first line: keep the first.
    std::string what = e.what();
    if (const auto newline = what.find('\n'); newline != std::string::npos) what.resize(newline);
    return fail(kExitFailure, "internal error: " + what);
  } catch (...) {
    return fail(kExitFailure, "internal error: an unknown exception");
  }
}

}  // namespace meridian::app

// Debian's ITK 5.2 generated its compiler-detection header for GCC only: it #errors on
// clang, and its GCC branch reads the GCC version (clang reports 4.2). The fuzz build
// (clang, for libFuzzer) force-includes this file first: it lets Debian's header see the
// GCC that built ITK while it runs, then restores clang's macros. Its include guard keeps
// later includes of the real header from running again. Used only by the `fuzz` preset.
#pragma once
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wbuiltin-macro-redefined"
#pragma push_macro("__clang__")
#pragma push_macro("__GNUC__")
#pragma push_macro("__GNUC_MINOR__")
#undef __clang__
#undef __GNUC__
#undef __GNUC_MINOR__
#define __GNUC__ 12
#define __GNUC_MINOR__ 2
#include <itk_compiler_detection.h>
#pragma pop_macro("__GNUC_MINOR__")
#pragma pop_macro("__GNUC__")
#pragma pop_macro("__clang__")
#pragma clang diagnostic pop

#pragma once
// MERIDIAN_VECTOR_CLONES before a function makes GCC build it once per x86 instruction set
// (AVX-512, AVX2, the baseline) and pick one when the library loads. Why: Meridian is built
// for the baseline x86-64, where the inference path's hand-written loops (LayerNorm, the
// attention's softmax) would run four lanes wide on CPUs that have sixteen.

#if defined(__x86_64__) && defined(__GNUC__)
#define MERIDIAN_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MERIDIAN_VECTOR_CLONES
#endif

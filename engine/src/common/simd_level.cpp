#include "common/simd_level.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace vvc {

SimdLevel simd_level_supported() {
#if (defined(__x86_64__) || defined(__i386__)) && !defined(VVC_NO_SIMD)
  if (__builtin_cpu_supports("avx2")) return SimdLevel::Avx2;
  if (__builtin_cpu_supports("sse4.1")) return SimdLevel::Sse41;
  return SimdLevel::Sse2;  // part of the x86-64 baseline
#else
  return SimdLevel::Scalar;
#endif
}

namespace {

SimdLevel detect() {
  const SimdLevel best = simd_level_supported();
  const char* cap = std::getenv("VTM_ACCEL_SIMD");
  if (!cap || !*cap) return best;
  SimdLevel want = best;
  if (!std::strcmp(cap, "scalar"))
    want = SimdLevel::Scalar;
  else if (!std::strcmp(cap, "sse2"))
    want = SimdLevel::Sse2;
  else if (!std::strcmp(cap, "sse41"))
    want = SimdLevel::Sse41;
  else if (!std::strcmp(cap, "avx2"))
    want = SimdLevel::Avx2;
  else
    std::fprintf(stderr, "VTM_ACCEL_SIMD=%s ignored (scalar, sse2, sse41 or avx2)\n", cap);
  return want < best ? want : best;
}

}  // namespace

SimdLevel simd_level() {
  static const SimdLevel level = detect();
  return level;
}

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::Scalar:
      return "scalar";
    case SimdLevel::Sse2:
      return "sse2";
    case SimdLevel::Sse41:
      return "sse41";
    case SimdLevel::Avx2:
      return "avx2";
  }
  return "?";
}

}  // namespace vvc

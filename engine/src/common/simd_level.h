// Which instruction-set level the kernel tables use: the best this CPU runs, capped by the
// environment variable VTM_ACCEL_SIMD (scalar, sse2 or avx2) so that tests and benchmarks can
// run every level on one machine. Every level gives bit-identical results.
#pragma once

namespace vvc {

enum class SimdLevel { Scalar = 0, Sse2 = 1, Avx2 = 2 };

// Detected once, on first use (a process-wide fact, like the CPU itself).
SimdLevel simd_level();

// The best level this CPU and build support, ignoring VTM_ACCEL_SIMD.
SimdLevel simd_level_supported();

const char* simd_level_name(SimdLevel level);

}  // namespace vvc

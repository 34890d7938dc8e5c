// Which instruction-set level the kernel tables use: the best this CPU runs, capped by the
// environment variable VTM_ACCEL_SIMD (scalar, sse2, sse41 or avx2) so that tests and benchmarks
// can run every level on one machine. Every level gives bit-identical results.
#pragma once

namespace vvc {

// Ordered: a table at one level uses the best kernel it has at or below that level.
enum class SimdLevel { Scalar = 0, Sse2 = 1, Sse41 = 2, Avx2 = 3 };

// Detected once, on first use (a process-wide fact, like the CPU itself).
SimdLevel simd_level();

// The best level this CPU and build support, ignoring VTM_ACCEL_SIMD.
SimdLevel simd_level_supported();

const char* simd_level_name(SimdLevel level);

}  // namespace vvc

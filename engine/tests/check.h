// A minimal test harness for the engine's C++ unit tests: each test_*.cpp is one executable
// that returns non-zero when any CHECK fails (ctest reads the exit code).
#pragma once
#include <cstdio>
#include <cstdlib>

namespace vvc_test {
inline int& failures() {
  static int n = 0;
  return n;
}
}  // namespace vvc_test

#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++vvc_test::failures();                                                       \
    }                                                                               \
  } while (0)

#define CHECK_EQ(a, b)                                                                             \
  do {                                                                                             \
    auto va_ = (a);                                                                                \
    auto vb_ = (b);                                                                                \
    if (!(va_ == vb_)) {                                                                           \
      std::fprintf(stderr, "%s:%d: CHECK_EQ failed: %s (%lld) != %s (%lld)\n", __FILE__, __LINE__, \
                   #a, static_cast<long long>(va_), #b, static_cast<long long>(vb_));              \
      ++vvc_test::failures();                                                                      \
    }                                                                                              \
  } while (0)

#define TEST_MAIN_END()                                                   \
  do {                                                                    \
    if (vvc_test::failures()) {                                           \
      std::fprintf(stderr, "%d check(s) failed\n", vvc_test::failures()); \
      return 1;                                                           \
    }                                                                     \
    std::printf("all checks passed\n");                                   \
    return 0;                                                             \
  } while (0)

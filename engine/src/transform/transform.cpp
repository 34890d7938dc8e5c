// DCT-II transforms (see transform.h). The forward transform is not normative; it mirrors
// VTM's scaling so that the quantizer's qBits formula (quant.h) holds.
#include "transform/transform.h"

#include <algorithm>
#include <cstddef>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/picture.h"

namespace vvc {
namespace {

// H.266 8.7.4.5 (transformation process), equations for transMatrix of the 64-point DCT-II:
// transMatrixCol0to15 (columns m = 0..15) and transMatrixCol16to31 (columns m = 16..31).
// The spec prints one row per n = 0..63 (frequency) holding the 16 columns m (sample
// position), so spec transMatrix[m][n] = kTransMatrixCol0to15[n][m] (resp. [n][m - 16]).
// Columns 32..63 follow from transMatrix[m][n] = (n & 1 ? -1 : 1) * transMatrix[63 - m][n].
constexpr int8_t kTransMatrixCol0to15[64][16] = {
    {64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64},
    {91, 90, 90, 90, 88, 87, 86, 84, 83, 81, 79, 77, 73, 71, 69, 65},
    {90, 90, 88, 85, 82, 78, 73, 67, 61, 54, 46, 38, 31, 22, 13, 4},
    {90, 88, 84, 79, 71, 62, 52, 41, 28, 15, 2, -11, -24, -37, -48, -59},
    {90, 87, 80, 70, 57, 43, 25, 9, -9, -25, -43, -57, -70, -80, -87, -90},
    {90, 84, 73, 59, 41, 20, -2, -24, -44, -62, -77, -86, -90, -90, -83, -71},
    {90, 82, 67, 46, 22, -4, -31, -54, -73, -85, -90, -88, -78, -61, -38, -13},
    {90, 79, 59, 33, 2, -28, -56, -77, -88, -90, -81, -62, -37, -7, 24, 52},
    {89, 75, 50, 18, -18, -50, -75, -89, -89, -75, -50, -18, 18, 50, 75, 89},
    {88, 71, 41, 2, -37, -69, -87, -90, -73, -44, -7, 33, 65, 86, 90, 77},
    {88, 67, 31, -13, -54, -82, -90, -78, -46, -4, 38, 73, 90, 85, 61, 22},
    {87, 62, 20, -28, -69, -90, -84, -56, -11, 37, 73, 90, 81, 48, 2, -44},
    {87, 57, 9, -43, -80, -90, -70, -25, 25, 70, 90, 80, 43, -9, -57, -87},
    {86, 52, -2, -56, -87, -84, -48, 7, 59, 88, 83, 44, -11, -62, -90, -81},
    {85, 46, -13, -67, -90, -73, -22, 38, 82, 88, 54, -4, -61, -90, -78, -31},
    {84, 41, -24, -77, -90, -56, 7, 65, 91, 69, 11, -52, -88, -79, -28, 37},
    {83, 36, -36, -83, -83, -36, 36, 83, 83, 36, -36, -83, -83, -36, 36, 83},
    {83, 28, -44, -88, -73, -11, 59, 91, 62, -7, -71, -90, -48, 24, 81, 84},
    {82, 22, -54, -90, -61, 13, 78, 85, 31, -46, -90, -67, 4, 73, 88, 38},
    {81, 15, -62, -90, -44, 37, 88, 69, -7, -77, -84, -24, 56, 91, 52, -28},
    {80, 9, -70, -87, -25, 57, 90, 43, -43, -90, -57, 25, 87, 70, -9, -80},
    {79, 2, -77, -81, -7, 73, 83, 11, -71, -84, -15, 69, 86, 20, -65, -87},
    {78, -4, -82, -73, 13, 85, 67, -22, -88, -61, 31, 90, 54, -38, -90, -46},
    {77, -11, -86, -62, 33, 90, 44, -52, -90, -24, 69, 83, 2, -81, -71, 20},
    {75, -18, -89, -50, 50, 89, 18, -75, -75, 18, 89, 50, -50, -89, -18, 75},
    {73, -24, -90, -37, 65, 81, -11, -88, -48, 56, 86, 2, -84, -59, 44, 90},
    {73, -31, -90, -22, 78, 67, -38, -90, -13, 82, 61, -46, -88, -4, 85, 54},
    {71, -37, -90, -7, 86, 48, -62, -79, 24, 91, 20, -81, -59, 52, 84, -11},
    {70, -43, -87, 9, 90, 25, -80, -57, 57, 80, -25, -90, -9, 87, 43, -70},
    {69, -48, -83, 24, 90, 2, -90, -28, 81, 52, -65, -71, 44, 84, -20, -90},
    {67, -54, -78, 38, 85, -22, -90, 4, 90, 13, -88, -31, 82, 46, -73, -61},
    {65, -59, -71, 52, 77, -44, -81, 37, 84, -28, -87, 20, 90, -11, -90, 2},
    {64, -64, -64, 64, 64, -64, -64, 64, 64, -64, -64, 64, 64, -64, -64, 64},
    {62, -69, -56, 73, 48, -79, -41, 83, 33, -86, -24, 88, 15, -90, -7, 91},
    {61, -73, -46, 82, 31, -88, -13, 90, -4, -90, 22, 85, -38, -78, 54, 67},
    {59, -77, -37, 87, 11, -91, 15, 86, -41, -73, 62, 56, -79, -33, 88, 7},
    {57, -80, -25, 90, -9, -87, 43, 70, -70, -43, 87, 9, -90, 25, 80, -57},
    {56, -83, -15, 90, -28, -77, 65, 44, -87, -2, 88, -41, -69, 73, 33, -90},
    {54, -85, -4, 88, -46, -61, 82, 13, -90, 38, 67, -78, -22, 90, -31, -73},
    {52, -87, 7, 83, -62, -41, 90, -20, -77, 71, 28, -91, 33, 69, -79, -15},
    {50, -89, 18, 75, -75, -18, 89, -50, -50, 89, -18, -75, 75, 18, -89, 50},
    {48, -90, 28, 65, -84, 7, 79, -73, -15, 87, -59, -37, 91, -41, -56, 88},
    {46, -90, 38, 54, -90, 31, 61, -88, 22, 67, -85, 13, 73, -82, 4, 78},
    {44, -91, 48, 41, -90, 52, 37, -90, 56, 33, -90, 59, 28, -88, 62, 24},
    {43, -90, 57, 25, -87, 70, 9, -80, 80, -9, -70, 87, -25, -57, 90, -43},
    {41, -90, 65, 11, -79, 83, -20, -59, 90, -48, -33, 87, -71, -2, 73, -86},
    {38, -88, 73, -4, -67, 90, -46, -31, 85, -78, 13, 61, -90, 54, 22, -82},
    {37, -86, 79, -20, -52, 90, -69, 2, 65, -90, 56, 15, -77, 87, -41, -33},
    {36, -83, 83, -36, -36, 83, -83, 36, 36, -83, 83, -36, -36, 83, -83, 36},
    {33, -81, 87, -48, -15, 71, -90, 62, -2, -59, 90, -73, 20, 44, -86, 83},
    {31, -78, 90, -61, 4, 54, -88, 82, -38, -22, 73, -90, 67, -13, -46, 85},
    {28, -73, 91, -71, 24, 33, -77, 90, -69, 20, 37, -79, 90, -65, 15, 41},
    {25, -70, 90, -80, 43, 9, -57, 87, -87, 57, -9, -43, 80, -90, 70, -25},
    {24, -65, 88, -86, 59, -15, -33, 71, -90, 83, -52, 7, 41, -77, 91, -79},
    {22, -61, 85, -90, 73, -38, -4, 46, -78, 90, -82, 54, -13, -31, 67, -88},
    {20, -56, 81, -91, 83, -59, 24, 15, -52, 79, -90, 84, -62, 28, 11, -48},
    {18, -50, 75, -89, 89, -75, 50, -18, -18, 50, -75, 89, -89, 75, -50, 18},
    {15, -44, 69, -84, 91, -86, 71, -48, 20, 11, -41, 65, -83, 90, -87, 73},
    {13, -38, 61, -78, 88, -90, 85, -73, 54, -31, 4, 22, -46, 67, -82, 90},
    {11, -33, 52, -69, 81, -88, 91, -87, 79, -65, 48, -28, 7, 15, -37, 56},
    {9, -25, 43, -57, 70, -80, 87, -90, 90, -87, 80, -70, 57, -43, 25, -9},
    {7, -20, 33, -44, 56, -65, 73, -81, 86, -90, 91, -90, 87, -83, 77, -69},
    {4, -13, 22, -31, 38, -46, 54, -61, 67, -73, 78, -82, 85, -88, 90, -90},
    {2, -7, 11, -15, 20, -24, 28, -33, 37, -41, 44, -48, 52, -56, 59, -62},
};

constexpr int8_t kTransMatrixCol16to31[64][16] = {
    {64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64},
    {62, 59, 56, 52, 48, 44, 41, 37, 33, 28, 24, 20, 15, 11, 7, 2},
    {-4, -13, -22, -31, -38, -46, -54, -61, -67, -73, -78, -82, -85, -88, -90, -90},
    {-69, -77, -83, -87, -90, -91, -90, -86, -81, -73, -65, -56, -44, -33, -20, -7},
    {-90, -87, -80, -70, -57, -43, -25, -9, 9, 25, 43, 57, 70, 80, 87, 90},
    {-56, -37, -15, 7, 28, 48, 65, 79, 87, 91, 88, 81, 69, 52, 33, 11},
    {13, 38, 61, 78, 88, 90, 85, 73, 54, 31, 4, -22, -46, -67, -82, -90},
    {73, 87, 90, 83, 65, 41, 11, -20, -48, -71, -86, -91, -84, -69, -44, -15},
    {89, 75, 50, 18, -18, -50, -75, -89, -89, -75, -50, -18, 18, 50, 75, 89},
    {48, 11, -28, -62, -84, -90, -79, -52, -15, 24, 59, 83, 91, 81, 56, 20},
    {-22, -61, -85, -90, -73, -38, 4, 46, 78, 90, 82, 54, 13, -31, -67, -88},
    {-79, -91, -77, -41, 7, 52, 83, 90, 71, 33, -15, -59, -86, -88, -65, -24},
    {-87, -57, -9, 43, 80, 90, 70, 25, -25, -70, -90, -80, -43, 9, 57, 87},
    {-41, 15, 65, 90, 79, 37, -20, -69, -90, -77, -33, 24, 71, 91, 73, 28},
    {31, 78, 90, 61, 4, -54, -88, -82, -38, 22, 73, 90, 67, 13, -46, -85},
    {83, 86, 44, -20, -73, -90, -59, 2, 62, 90, 71, 15, -48, -87, -81, -33},
    {83, 36, -36, -83, -83, -36, 36, 83, 83, 36, -36, -83, -83, -36, 36, 83},
    {33, -41, -87, -77, -15, 56, 90, 65, -2, -69, -90, -52, 20, 79, 86, 37},
    {-38, -88, -73, -4, 67, 90, 46, -31, -85, -78, -13, 61, 90, 54, -22, -82},
    {-86, -73, -2, 71, 87, 33, -48, -90, -59, 20, 83, 79, 11, -65, -90, -41},
    {-80, -9, 70, 87, 25, -57, -90, -43, 43, 90, 57, -25, -87, -70, 9, 80},
    {-24, 62, 88, 28, -59, -90, -33, 56, 90, 37, -52, -90, -41, 48, 91, 44},
    {46, 90, 38, -54, -90, -31, 61, 88, 22, -67, -85, -13, 73, 82, 4, -78},
    {88, 56, -41, -91, -37, 59, 87, 15, -73, -79, 7, 84, 65, -28, -90, -48},
    {75, -18, -89, -50, 50, 89, 18, -75, -75, 18, 89, 50, -50, -89, -18, 75},
    {15, -79, -69, 33, 91, 28, -71, -77, 20, 90, 41, -62, -83, 7, 87, 52},
    {-54, -85, 4, 88, 46, -61, -82, 13, 90, 38, -67, -78, 22, 90, 31, -73},
    {-90, -33, 73, 69, -41, -88, -2, 87, 44, -65, -77, 28, 90, 15, -83, -56},
    {-70, 43, 87, -9, -90, -25, 80, 57, -57, -80, 25, 90, 9, -87, -43, 70},
    {-7, 88, 33, -79, -56, 62, 73, -41, -86, 15, 91, 11, -87, -37, 77, 59},
    {61, 73, -46, -82, 31, 88, -13, -90, -4, 90, 22, -85, -38, 78, 54, -67},
    {91, 7, -90, -15, 88, 24, -86, -33, 83, 41, -79, -48, 73, 56, -69, -62},
    {64, -64, -64, 64, 64, -64, -64, 64, 64, -64, -64, 64, 64, -64, -64, 64},
    {-2, -90, 11, 90, -20, -87, 28, 84, -37, -81, 44, 77, -52, -71, 59, 65},
    {-67, -54, 78, 38, -85, -22, 90, 4, -90, 13, 88, -31, -82, 46, 73, -61},
    {-90, 20, 84, -44, -71, 65, 52, -81, -28, 90, 2, -90, 24, 83, -48, -69},
    {-57, 80, 25, -90, 9, 87, -43, -70, 70, 43, -87, -9, 90, -25, -80, 57},
    {11, 84, -52, -59, 81, 20, -91, 24, 79, -62, -48, 86, 7, -90, 37, 71},
    {73, 31, -90, 22, 78, -67, -38, 90, -13, -82, 61, 46, -88, 4, 85, -54},
    {90, -44, -59, 84, 2, -86, 56, 48, -88, 11, 81, -65, -37, 90, -24, -73},
    {50, -89, 18, 75, -75, -18, 89, -50, -50, 89, -18, -75, 75, 18, -89, 50},
    {-20, -71, 81, 2, -83, 69, 24, -90, 52, 44, -90, 33, 62, -86, 11, 77},
    {-78, -4, 82, -73, -13, 85, -67, -22, 88, -61, -31, 90, -54, -38, 90, -46},
    {-87, 65, 20, -86, 69, 15, -84, 71, 11, -83, 73, 7, -81, 77, 2, -79},
    {-43, 90, -57, -25, 87, -70, -9, 80, -80, 9, 70, -87, 25, 57, -90, 43},
    {28, 52, -91, 56, 24, -84, 77, -7, -69, 88, -37, -44, 90, -62, -15, 81},
    {82, -22, -54, 90, -61, -13, 78, -85, 31, 46, -90, 67, 4, -73, 88, -38},
    {84, -81, 24, 48, -90, 71, -7, -62, 91, -59, -11, 73, -88, 44, 28, -83},
    {36, -83, 83, -36, -36, 83, -83, 36, 36, -83, 83, -36, -36, 83, -83, 36},
    {-37, -28, 79, -88, 52, 11, -69, 91, -65, 7, 56, -90, 77, -24, -41, 84},
    {-85, 46, 13, -67, 90, -73, 22, 38, -82, 88, -54, -4, 61, -90, 78, -31},
    {-81, 90, -62, 11, 44, -83, 88, -59, 7, 48, -84, 87, -56, 2, 52, -86},
    {-25, 70, -90, 80, -43, -9, 57, -87, 87, -57, 9, 43, -80, 90, -70, 25},
    {44, 2, -48, 81, -90, 73, -37, -11, 56, -84, 90, -69, 28, 20, -62, 87},
    {88, -67, 31, 13, -54, 82, -90, 78, -46, 4, 38, -73, 90, -85, 61, -22},
    {77, -90, 86, -65, 33, 7, -44, 73, -90, 87, -69, 37, 2, -41, 71, -88},
    {18, -50, 75, -89, 89, -75, 50, -18, -18, 50, -75, 89, -89, 75, -50, 18},
    {-52, 24, 7, -37, 62, -81, 90, -88, 77, -56, 28, 2, -33, 59, -79, 90},
    {-90, 82, -67, 46, -22, -4, 31, -54, 73, -85, 90, -88, 78, -61, 38, -13},
    {-71, 83, -90, 90, -86, 77, -62, 44, -24, 2, 20, -41, 59, -73, 84, -90},
    {-9, 25, -43, 57, -70, 80, -87, 90, -90, 87, -80, 70, -57, 43, -25, 9},
    {59, -48, 37, -24, 11, 2, -15, 28, -41, 52, -62, 71, -79, 84, -88, 90},
    {90, -90, 88, -85, 82, -78, 73, -67, 61, -54, 46, -38, 31, -22, 13, -4},
    {65, -69, 71, -73, 77, -79, 81, -83, 84, -86, 87, -88, 90, -90, 90, -91},
};

// Full 64x64 transMatrix as kMat64[n][m] (n = frequency, m = sample position).
struct Mat64 {
  int16_t v[64][64];
};
constexpr Mat64 make_mat64() {
  Mat64 t{};
  for (int n = 0; n < 64; ++n) {
    for (int m = 0; m < 16; ++m) t.v[n][m] = kTransMatrixCol0to15[n][m];
    for (int m = 16; m < 32; ++m) t.v[n][m] = kTransMatrixCol16to31[n][m - 16];
    for (int m = 32; m < 64; ++m)
      t.v[n][m] = static_cast<int16_t>((n & 1 ? -1 : 1) * t.v[n][63 - m]);
  }
  return t;
}
constexpr Mat64 kMat64 = make_mat64();

// Per-size matrices for nTbS = 1 << L (L = 1..6; 2-point for chroma TBs 2 samples high): fwd[k][i]
// = transMatrix[i][k * 64 / nTbS] (row k = frequency, contiguous over positions i) and its
// transpose inv[i][k]. Stored with a fixed row pitch of 64 so the hot loops index them uniformly.
struct SizeMats {
  int16_t fwd[6][64][64];  // [L - 1][k][i]
  int16_t tr[6][64][64];   // [L - 1][i][k]
};
constexpr SizeMats make_size_mats() {
  SizeMats s{};
  for (int L = 1; L <= 6; ++L) {
    const int n = 1 << L;
    const int step = 64 >> L;
    for (int k = 0; k < n; ++k)
      for (int i = 0; i < n; ++i) {
        s.fwd[L - 1][k][i] = kMat64.v[k * step][i];
        s.tr[L - 1][i][k] = kMat64.v[k * step][i];
      }
  }
  return s;
}
constexpr SizeMats kMats = make_size_mats();

// Row-pair interleaved copies for the multiply-add kernel below: il[L - 1][r / 2][c][0..1] =
// (M[r][c], M[r + 1][c]) with M = fwd (inverse horizontal pass) or M = tr (forward
// horizontal pass).
struct PairMats {
  int16_t fwd[6][32][64][2];
  int16_t tr[6][32][64][2];
};
constexpr PairMats make_pair_mats() {
  PairMats p{};
  for (int L = 0; L < 6; ++L)
    for (int r = 0; r < 64; r += 2)
      for (int c = 0; c < 64; ++c) {
        p.fwd[L][r / 2][c][0] = kMats.fwd[L][r][c];
        p.fwd[L][r / 2][c][1] = kMats.fwd[L][r + 1][c];
        p.tr[L][r / 2][c][0] = kMats.tr[L][r][c];
        p.tr[L][r / 2][c][1] = kMats.tr[L][r + 1][c];
      }
  return p;
}
constexpr PairMats kPairs = make_pair_mats();

constexpr int kInterMin = -(1 << 15);  // CoeffMinY/C, extended_precision off
constexpr int kInterMax = (1 << 15) - 1;

inline int16_t sat16(int v) {
  return static_cast<int16_t>(std::clamp(v, kInterMin, kInterMax));
}

// The one hot kernel of every pass: acc[i] += a0 * p[2i] + a1 * p[2i + 1] for i < N (N a
// multiple of 4), i.e. two rows of a 1-D transform at once on 16-bit data with 32-bit sums
// (SSE2 pmaddwd: 8 multiply-adds per instruction; exact, no intermediate rounding).
template <int N>
inline void madd_acc(int32_t* acc, int a0, int a1, const int16_t* p) {
#if defined(__SSE2__)
  const __m128i ab = _mm_set1_epi32(
      static_cast<int>(static_cast<uint16_t>(a0) | (static_cast<uint32_t>(a1) << 16)));
  for (int i = 0; i < N; i += 4) {
    __m128i* dst = reinterpret_cast<__m128i*>(acc + i);
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2 * i));
    _mm_storeu_si128(dst, _mm_add_epi32(_mm_loadu_si128(dst), _mm_madd_epi16(v, ab)));
  }
#else
  for (int i = 0; i < N; ++i) acc[i] += a0 * p[2 * i] + a1 * p[2 * i + 1];
#endif
}

// Compile-time sizes make every kernel call a fixed-length loop; only the outer reduction
// loops of the inverse depend on the data (last nonzero row/column, rounded up to a pair).
// All products are int16 x int16 -> int32: the spec clips coefficients and the inverse
// intermediate to 16 bits, and the forward intermediate of a 10-bit residual
// (|r| <= 1023) stays below 2^15 by construction of the scaling.
template <int L2W, int L2H>
void forward_impl(const int16_t* resid, ptrdiff_t residStride, int32_t* coeff) {
  constexpr int w = 1 << L2W;
  constexpr int h = 1 << L2H;
  constexpr int keepW = w < 32 ? w : 32;  // 64-point zero-out
  constexpr int keepH = h < 32 ? h : 32;
  // shift1 = log2W + bitDepth + 6 - 15, shift2 = log2H + 6 (VTM's forward scaling).
  constexpr int shift1 = L2W + kBitDepth + 6 - 15;
  constexpr int shift2 = L2H + 6;
  constexpr int add1 = 1 << (shift1 - 1);
  constexpr int add2 = 1 << (shift2 - 1);
  const auto& twp = kPairs.tr[L2W - 1];  // [x / 2][k][x & 1] = T_W[k][x]
  const auto& th = kMats.fwd[L2H - 1];   // [k][y]

  // Horizontal pass: t[y][k] = sum_x T_W[k][x] * resid[y][x], k < keepW, stored with rows
  // y interleaved in pairs for the vertical pass: tmp[y / 2][k][y & 1].
  alignas(16) int16_t tmp[h / 2][keepW][2];
  for (int y = 0; y < h; ++y) {
    const int16_t* r = resid + y * residStride;
    alignas(16) int32_t acc[keepW] = {};
    for (int x = 0; x < w; x += 2) madd_acc<keepW>(acc, r[x], r[x + 1], &twp[x / 2][0][0]);
    for (int k = 0; k < keepW; ++k) tmp[y / 2][k][y & 1] = sat16((acc[k] + add1) >> shift1);
  }
  // Vertical pass: coeff[k][x] = sum_y T_H[k][y] * t[y][x].
  for (int k = 0; k < keepH; ++k) {
    alignas(16) int32_t acc[keepW] = {};
    const int16_t* m = th[k];
    for (int y = 0; y < h; y += 2) madd_acc<keepW>(acc, m[y], m[y + 1], &tmp[y / 2][0][0]);
    int32_t* c = coeff + k * w;
    for (int x = 0; x < keepW; ++x) c[x] = (acc[x] + add2) >> shift2;
    for (int x = keepW; x < w; ++x) c[x] = 0;
  }
  for (int i = keepH * w; i < h * w; ++i) coeff[i] = 0;
}

template <int L2W, int L2H>
void inverse_impl(const int32_t* coeff, int16_t* resid, ptrdiff_t residStride) {
  constexpr int w = 1 << L2W;
  constexpr int h = 1 << L2H;
  // 8.7.4.1: nonZeroW = Min(nTbW, 32), nonZeroH = Min(nTbH, 32) for DCT-II.
  constexpr int nzW0 = w < 32 ? w : 32;
  constexpr int nzH0 = h < 32 ? h : 32;
  // 16-bit copy of the coefficients (8.7.3 clips them to CoeffMin..CoeffMax), rows
  // interleaved in pairs for the vertical pass: cil[j / 2][x][j & 1].
  alignas(16) int16_t cil[nzH0 / 2][nzW0][2];
  int32_t colAny[nzW0] = {};
  int nzH = 0;
  for (int y = 0; y < nzH0; ++y) {
    const int32_t* c = coeff + y * w;
    int32_t rowAny = 0;
    for (int x = 0; x < nzW0; ++x) {
      cil[y / 2][x][y & 1] = sat16(c[x]);
      colAny[x] |= c[x];
      rowAny |= c[x];
    }
    if (rowAny) nzH = y + 1;
  }
  int nzW = nzW0;
  while (nzW > 0 && !colAny[nzW - 1]) --nzW;
  if (nzW == 0) {
    for (int y = 0; y < h; ++y) std::memset(resid + y * residStride, 0, sizeof(int16_t) * w);
    return;
  }
  const auto& tv = kMats.tr[L2H - 1];     // [y][j] = T_H[j][y]
  const auto& thp = kPairs.fwd[L2W - 1];  // [j / 2][x][j & 1] = T_W[j][x]

  // 8.7.4.2 steps 1-2: vertical 1-D transform of each column, then
  // g[x][y] = Clip3(coeffMin, coeffMax, (e[x][y] + 64) >> 7).
  alignas(16) int16_t g[h][nzW0];
  for (int y = 0; y < h; ++y) {
    alignas(16) int32_t acc[nzW0] = {};
    const int16_t* m = tv[y];
    for (int j = 0; j < nzH; j += 2) madd_acc<nzW0>(acc, m[j], m[j + 1], &cil[j / 2][0][0]);
    for (int x = 0; x < nzW0; ++x) g[y][x] = sat16((acc[x] + 64) >> 7);
  }
  // Steps 3-4: horizontal 1-D transform of each row, then 8.7.2:
  // r = (r + (1 << (bdShift - 1))) >> bdShift, bdShift = Max(20 - BitDepth, 0) = 10.
  constexpr int bdShift = 20 - kBitDepth;
  constexpr int bdAdd = 1 << (bdShift - 1);
  for (int y = 0; y < h; ++y) {
    alignas(16) int32_t acc[w] = {};
    for (int j = 0; j < nzW; j += 2) madd_acc<w>(acc, g[y][j], g[y][j + 1], &thp[j / 2][0][0]);
    int16_t* r = resid + y * residStride;
    for (int x = 0; x < w; ++x) r[x] = sat16((acc[x] + bdAdd) >> bdShift);
  }
}

using FwdFn = void (*)(const int16_t*, ptrdiff_t, int32_t*);
using InvFn = void (*)(const int32_t*, int16_t*, ptrdiff_t);

template <int L2W, int L2H>
constexpr void fill_tables(FwdFn (&f)[5][6], InvFn (&i)[5][6]) {
  f[L2W - 2][L2H - 1] = &forward_impl<L2W, L2H>;
  i[L2W - 2][L2H - 1] = &inverse_impl<L2W, L2H>;
  if constexpr (L2H < 6)
    fill_tables<L2W, L2H + 1>(f, i);
  else if constexpr (L2W < 6)
    fill_tables<L2W + 1, 1>(f, i);
}

struct Dispatch {
  // Heights 2..64 (log2H = 1 for chroma TBs 2 samples high in the dual tree), widths 4..64.
  FwdFn fwd[5][6] = {};
  InvFn inv[5][6] = {};
  constexpr Dispatch() { fill_tables<2, 1>(fwd, inv); }
};
constexpr Dispatch kDispatch;

}  // namespace

int dct2_coef(int log2N, int k, int i) {
  return kMats.fwd[log2N - 1][k][i];
}

void forward_transform(const int16_t* resid, int residStride, int log2W, int log2H,
                       int32_t* coeff) {
  kDispatch.fwd[log2W - 2][log2H - 1](resid, residStride, coeff);
}

void inverse_transform(const int32_t* coeff, int log2W, int log2H, int16_t* resid,
                       int residStride) {
  kDispatch.inv[log2W - 2][log2H - 1](coeff, resid, residStride);
}

}  // namespace vvc

// Constant tables of H.266 intra sample prediction (8.4.5.2). Numbers are facts from the
// standard; each table names the clause it comes from.
#pragma once
#include <cstdint>

namespace vvc {

// Intra prediction mode numbers (H.266 8.4.2, table "Specification of intra prediction mode and
// associated names").
constexpr int kIntraPlanar = 0;
constexpr int kIntraDc = 1;
constexpr int kIntraHor = 18;   // INTRA_ANGULAR18
constexpr int kIntraDia = 34;   // INTRA_ANGULAR34
constexpr int kIntraVer = 50;   // INTRA_ANGULAR50
constexpr int kIntraVdia = 66;  // INTRA_ANGULAR66
constexpr int kNumLumaModes = 67;

// intraPredAngle for predModeIntra = -14..80 (wide-angle modes included), H.266 8.4.5.2.13,
// table "Specification of intraPredAngle". Index = predModeIntra + 14. Modes 0 (planar)
// and 1 (DC) have no angle; they hold 0 here.
constexpr int16_t kIntraPredAngle[95] = {
    512, 341, 256, 171, 128, 102, 86,  73,  64,  57,  51,  45,  39,  35,  0,   0,    //
    32,  29,  26,  23,  20,  18,  16,  14,  12,  10,  8,   6,   4,   3,   2,   1,    //
    0,   -1,  -2,  -3,  -4,  -6,  -8,  -10, -12, -14, -16, -18, -20, -23, -26, -29,  //
    -32, -29, -26, -23, -20, -18, -16, -14, -12, -10, -8,  -6,  -4,  -3,  -2,  -1,   //
    0,   1,   2,   3,   4,   6,   8,   10,  12,  14,  16,  18,  20,  23,  26,  29,   //
    32,  35,  39,  45,  51,  57,  64,  73,  86,  102, 128, 171, 256, 341, 512,
};

constexpr int intra_pred_angle(int predModeIntra) {
  return kIntraPredAngle[predModeIntra + 14];
}

// invAngle = Round(512 * 32 / intraPredAngle), H.266 8.4.5.2.13 (eq. for invAngle). No ties
// occur for the angles of that table, so round-half-away is exact.
constexpr int intra_inv_angle(int intraPredAngle) {
  const int a = intraPredAngle < 0 ? -intraPredAngle : intraPredAngle;
  const int inv = (512 * 32 + a / 2) / a;
  return intraPredAngle < 0 ? -inv : inv;
}

// invAngle per predModeIntra = -14..80 (index mode + 14; 0 where intraPredAngle is 0).
constexpr auto kIntraInvAngle = [] {
  struct Table {
    int16_t v[95];
  } t{};
  for (int i = 0; i < 95; ++i) {
    const int a = kIntraPredAngle[i];
    t.v[i] = static_cast<int16_t>(a ? intra_inv_angle(a) : 0);
  }
  return t;
}();
constexpr int intra_inv_angle_of_mode(int predModeIntra) {
  return kIntraInvAngle.v[predModeIntra + 14];
}

// Interpolation filter coefficients fC (cubic, DCT-IF) for the 32 fractional phases,
// H.266 8.4.5.2.13, table "Specification of interpolation filter coefficients fC and fG".
constexpr int8_t kIntraFilterC[32][4] = {
    {0, 64, 0, 0},    {-1, 63, 2, 0},   {-2, 62, 4, 0},   {-2, 60, 7, -1},  {-2, 58, 10, -2},
    {-3, 57, 12, -2}, {-4, 56, 14, -2}, {-4, 55, 15, -2}, {-4, 54, 16, -2}, {-5, 53, 18, -2},
    {-6, 52, 20, -2}, {-6, 49, 24, -3}, {-6, 46, 28, -4}, {-5, 44, 29, -4}, {-4, 42, 30, -4},
    {-4, 39, 33, -4}, {-4, 36, 36, -4}, {-4, 33, 39, -4}, {-4, 30, 42, -4}, {-4, 29, 44, -5},
    {-4, 28, 46, -6}, {-3, 24, 49, -6}, {-2, 20, 52, -6}, {-2, 18, 53, -5}, {-2, 16, 54, -4},
    {-2, 15, 55, -4}, {-2, 14, 56, -4}, {-2, 12, 57, -3}, {-2, 10, 58, -2}, {-1, 7, 60, -2},
    {0, 4, 62, -2},   {0, 2, 63, -1},
};

// Interpolation filter coefficients fG (smoothing / Gaussian), H.266 8.4.5.2.13, same table.
constexpr int8_t kIntraFilterG[32][4] = {
    {16, 32, 16, 0}, {16, 32, 16, 0}, {15, 31, 17, 1}, {15, 31, 17, 1}, {14, 30, 18, 2},
    {14, 30, 18, 2}, {13, 29, 19, 3}, {13, 29, 19, 3}, {12, 28, 20, 4}, {12, 28, 20, 4},
    {11, 27, 21, 5}, {11, 27, 21, 5}, {10, 26, 22, 6}, {10, 26, 22, 6}, {9, 25, 23, 7},
    {9, 25, 23, 7},  {8, 24, 24, 8},  {8, 24, 24, 8},  {7, 23, 25, 9},  {7, 23, 25, 9},
    {6, 22, 26, 10}, {6, 22, 26, 10}, {5, 21, 27, 11}, {5, 21, 27, 11}, {4, 20, 28, 12},
    {4, 20, 28, 12}, {3, 19, 29, 13}, {3, 19, 29, 13}, {2, 18, 30, 14}, {2, 18, 30, 14},
    {1, 17, 31, 15}, {1, 17, 31, 15},
};

// intraHorVerDistThres[nTbS] for nTbS = 2..6, H.266 8.4.5.2.13, table "Specification of
// intraHorVerDistThres[nTbS]" (index nTbS - 2).
constexpr int8_t kIntraHorVerDistThres[5] = {24, 14, 2, 0, 0};

// refFilterFlag (H.266 8.4.5.2.1): 1 for planar and for the integer-slope angular modes
// (|intraPredAngle| a multiple of 32), wide-angle ones included.
constexpr bool intra_ref_filter_mode(int predModeIntra) {
  switch (predModeIntra) {
    case -14:
    case -12:
    case -10:
    case -6:
    case kIntraPlanar:
    case 2:
    case 34:
    case 66:
    case 72:
    case 76:
    case 78:
    case 80:
      return true;
    default:
      return false;
  }
}

}  // namespace vvc

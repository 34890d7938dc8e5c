// MPM list (H.266 8.4.2), luma mode syntax mapping round trips and chroma mode derivation
// (8.4.3). Expected lists are worked out by hand from the spec equations.
#include <algorithm>

#include "check.h"
#include "intra/mpm.h"

using namespace vvc;

namespace {

void expect_list(int a, int b, int c0, int c1, int c2, int c3, int c4) {
  int mpm[6];
  derive_mpm_list(a, b, mpm);
  CHECK_EQ(mpm[0], 0);
  CHECK_EQ(mpm[1], c0);
  CHECK_EQ(mpm[2], c1);
  CHECK_EQ(mpm[3], c2);
  CHECK_EQ(mpm[4], c3);
  CHECK_EQ(mpm[5], c4);
}

void test_lists() {
  // Neither neighbour angular: {DC, 50, 18, 46, 54}.
  expect_list(0, 0, 1, 50, 18, 46, 54);
  expect_list(1, 1, 1, 50, 18, 46, 54);
  expect_list(0, 1, 1, 50, 18, 46, 54);
  expect_list(1, 0, 1, 50, 18, 46, 54);
  // A == B angular: {A, 2+((A+61)%64), 2+((A-1)%64), 2+((A+60)%64), 2+(A%64)}.
  expect_list(50, 50, 50, 49, 51, 48, 52);
  expect_list(2, 2, 2, 65, 3, 64, 4);
  expect_list(66, 66, 66, 65, 3, 64, 4);
  // Both angular, different. diff 32 (general case):
  // {A, B, 2+((min+61)%64), 2+((min-1)%64), 2+((max+61)%64)}.
  expect_list(18, 50, 18, 50, 17, 19, 49);
  expect_list(50, 18, 50, 18, 17, 19, 49);
  // diff 1: {A, B, 2+((min+61)%64), 2+((max-1)%64), 2+((min+60)%64)}.
  expect_list(10, 11, 10, 11, 9, 12, 8);
  // diff >= 62: {A, B, 2+((min-1)%64), 2+((max+61)%64), 2+(min%64)}.
  expect_list(2, 66, 2, 66, 3, 65, 4);
  expect_list(66, 3, 66, 3, 4, 65, 5);
  // diff 2: {A, B, 2+((min-1)%64), 2+((min+61)%64), 2+((max-1)%64)}.
  expect_list(30, 32, 30, 32, 31, 29, 33);
  // Exactly one angular: {max, 2+((max+61)%64), 2+((max-1)%64), 2+((max+60)%64), 2+(max%64)}.
  expect_list(0, 34, 34, 33, 35, 32, 36);
  expect_list(1, 3, 3, 2, 4, 65, 5);
  expect_list(66, 1, 66, 65, 3, 64, 4);
}

void test_luma_code_round_trip() {
  const int pairs[][2] = {{0, 0}, {50, 50}, {18, 50}, {2, 66}, {10, 11}, {0, 34}, {1, 3}, {30, 32}};
  for (const auto& p : pairs) {
    int mpm[6];
    derive_mpm_list(p[0], p[1], mpm);
    int inList = 0;
    bool seen[61] = {};
    for (int mode = 0; mode < 67; ++mode) {
      const MpmCode c = encode_luma_mode(mode, mpm);
      CHECK_EQ(decode_luma_mode(c, mpm), mode);
      if (c.mpm_flag) {
        ++inList;
        CHECK_EQ(c.not_planar, mode != 0);
        CHECK(c.mpm_idx >= 0 && c.mpm_idx < 5);
      } else {
        CHECK(c.remainder >= 0 && c.remainder <= 60);
        CHECK(!seen[c.remainder]);
        seen[c.remainder] = true;
      }
    }
    CHECK_EQ(inList, 6);
  }
  // Hand-worked remainders for the default list {1, 50, 18, 46, 54}: mode 2 -> 0,
  // mode 17 -> 17 - 1 - 1 = 15, mode 19 -> 19 - 1 - 2 = 16, mode 66 -> 60.
  int mpm[6];
  derive_mpm_list(0, 0, mpm);
  CHECK_EQ(encode_luma_mode(2, mpm).remainder, 0);
  CHECK_EQ(encode_luma_mode(17, mpm).remainder, 15);
  CHECK_EQ(encode_luma_mode(19, mpm).remainder, 16);
  CHECK_EQ(encode_luma_mode(66, mpm).remainder, 60);
  CHECK_EQ(encode_luma_mode(50, mpm).mpm_idx, 1);
  CHECK(!encode_luma_mode(0, mpm).not_planar);
  CHECK(encode_luma_mode(0, mpm).mpm_flag);
}

void test_chroma() {
  // Luma 50: vertical candidate collides with DM -> 66.
  CHECK_EQ(chroma_pred_mode(0, 50), 0);
  CHECK_EQ(chroma_pred_mode(1, 50), 66);
  CHECK_EQ(chroma_pred_mode(2, 50), 18);
  CHECK_EQ(chroma_pred_mode(3, 50), 1);
  CHECK_EQ(chroma_pred_mode(4, 50), 50);
  CHECK_EQ(chroma_pred_mode(0, 0), 66);
  CHECK_EQ(chroma_pred_mode(3, 1), 66);
  CHECK_EQ(chroma_pred_mode(2, 18), 66);
  CHECK_EQ(chroma_pred_mode(1, 66), 50);
  CHECK_EQ(chroma_pred_mode(4, 66), 66);
  CHECK_EQ(chroma_pred_mode(0, 7), 0);
  // Inverse.
  for (int luma = 0; luma < 67; ++luma) {
    for (int idx = 0; idx < 5; ++idx) {
      const int m = chroma_pred_mode(idx, luma);
      const int back = chroma_pred_mode_index(m, luma);
      CHECK(back >= 0);
      CHECK_EQ(chroma_pred_mode(back, luma), m);
    }
    CHECK_EQ(chroma_pred_mode_index(luma, luma), 4);
  }
  CHECK_EQ(chroma_pred_mode_index(7, 50), -1);
}

}  // namespace

int main() {
  test_lists();
  test_luma_code_round_trip();
  test_chroma();
  TEST_MAIN_END();
}

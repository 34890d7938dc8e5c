// Scan tables for residual coding (6.5.3 up-right diagonal scan, 7.3.11.11 sub-blocks).
#include "cabac/residual_coding.h"

#include <array>

namespace vvc {
namespace {

// 6.5.3: up-right diagonal scan of a blkW x blkH array, as {x, y} pairs.
int diag_scan(int blkW, int blkH, uint8_t* out) {
  int i = 0, x = 0, y = 0;
  while (i < blkW * blkH) {
    while (y >= 0) {
      if (x < blkW && y < blkH) {
        out[2 * i] = uint8_t(x);
        out[2 * i + 1] = uint8_t(y);
        ++i;
      }
      --y;
      ++x;
    }
    y = x;
    x = 0;
  }
  return i;
}

struct ScanStore {
  std::array<std::array<CoeffScan, 6>, 6> scans;
  std::array<std::array<std::array<uint8_t, 2 * 1024>, 6>, 6> pos;
  std::array<std::array<std::array<uint8_t, 2 * 64>, 6>, 6> sbPos;

  ScanStore() {
    for (int lw = 0; lw < 6; ++lw) {
      for (int lh = 0; lh < 6; ++lh) {
        // 7.3.11.11 sub-block size
        int sbW = std::min(lw, lh) < 2 ? 1 : 2;
        int sbH = sbW;
        if (lw + lh > 3) {
          if (lw < 2) {
            sbW = lw;
            sbH = 4 - sbW;
          } else if (lh < 2) {
            sbH = lh;
            sbW = 4 - sbH;
          }
        }
        sbW = std::min(sbW, lw);  // 1xN / Nx1 / tiny blocks (not used by VVC TBs >= 4)
        sbH = std::min(sbH, lh);
        CoeffScan& s = scans[lw][lh];
        s.log2SbW = uint8_t(sbW);
        s.log2SbH = uint8_t(sbH);
        s.log2WInSb = uint8_t(lw - sbW);
        s.log2HInSb = uint8_t(lh - sbH);
        uint8_t inSb[2 * 16];
        const int nIn = diag_scan(1 << sbW, 1 << sbH, inSb);
        const int nSb = diag_scan(1 << (lw - sbW), 1 << (lh - sbH), sbPos[lw][lh].data());
        uint8_t* p = pos[lw][lh].data();
        for (int b = 0; b < nSb; ++b) {
          const int xS = sbPos[lw][lh][2 * b], yS = sbPos[lw][lh][2 * b + 1];
          for (int n = 0; n < nIn; ++n) {
            *p++ = uint8_t((xS << sbW) + inSb[2 * n]);
            *p++ = uint8_t((yS << sbH) + inSb[2 * n + 1]);
          }
        }
        s.pos = pos[lw][lh].data();
        s.sbPos = sbPos[lw][lh].data();
      }
    }
  }
};

const ScanStore& store() {
  static const ScanStore s;
  return s;
}

// Build the tables during static initialisation so that the hot path rarely sees a guard.
[[maybe_unused]] const ScanStore& kWarm = store();

}  // namespace

const CoeffScan& coeff_scan(int log2W, int log2H) {
  return store().scans[log2W][log2H];
}

}  // namespace vvc

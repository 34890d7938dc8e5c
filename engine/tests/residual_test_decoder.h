// Test-only residual_coding() parser written literally from H.266 7.3.11.11 (regular residual
// coding, sh_dep_quant_used_flag 0 or 1, sh_sign_data_hiding_used_flag = 0, no transform skip,
// no SBT), the context derivations of 9.3.4.2.4-9.3.4.2.7 and the binarizations of
// 9.3.3.11 / 9.3.3.6. Independent of engine/src/cabac/residual_coding.h on purpose.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "cabac/contexts.h"
#include "cabac_test_decoder.h"

namespace vvc_test {

// 6.5.3 up-right diagonal scan: scan[i] = {x, y}.
inline std::vector<std::pair<int, int>> diag_scan_order(int blkWidth, int blkHeight) {
  std::vector<std::pair<int, int>> s;
  int x = 0, y = 0;
  bool stopLoop = false;
  while (!stopLoop) {
    while (y >= 0) {
      if (x < blkWidth && y < blkHeight) s.push_back({x, y});
      y--;
      x++;
    }
    y = x;
    x = 0;
    if (int(s.size()) >= blkWidth * blkHeight) stopLoop = true;
  }
  return s;
}

class ResidualTestDecoder {
 public:
  ResidualTestDecoder(CabacTestDecoder& d, vvc::ContextSet& ctx) : d_(d), ctx_(ctx) {}

  // Fills `out` (raster, width 1 << log2TbWidth) with the coded levels (AbsLevel with its
  // sign; without DQ that is TransCoeffLevel). depQuant: sh_dep_quant_used_flag; `trans`,
  // when given, receives TransCoeffLevel as the spec's last loop derives it.
  void decode(int log2TbWidth, int log2TbHeight, int cIdx, std::vector<int32_t>& out,
              bool depQuant = false, std::vector<int32_t>* trans = nullptr) {
    static constexpr int QStateTransTable[4][2] = {{0, 2}, {2, 0}, {1, 3}, {3, 1}};
    int QState = 0;
    const int tbW = 1 << log2TbWidth, tbH = 1 << log2TbHeight;
    out.assign(size_t(tbW) * tbH, 0);
    if (trans) trans->assign(size_t(tbW) * tbH, 0);
    std::vector<int> sig(size_t(tbW) * tbH, 0), pass1(sig.size(), 0), absLevel(sig.size(), 0);
    auto at = [tbW](std::vector<int>& a, int x, int y) -> int& { return a[size_t(y) * tbW + x]; };

    const int log2ZoTbWidth = std::min(log2TbWidth, 5);
    const int log2ZoTbHeight = std::min(log2TbHeight, 5);
    int lastXPrefix = 0, lastYPrefix = 0;
    if (log2TbWidth > 0) lastXPrefix = last_prefix(log2TbWidth, log2ZoTbWidth, cIdx, true);
    if (log2TbHeight > 0) lastYPrefix = last_prefix(log2TbHeight, log2ZoTbHeight, cIdx, false);
    int LastSignificantCoeffX = lastXPrefix, LastSignificantCoeffY = lastYPrefix;
    if (lastXPrefix > 3) {
      const int suffix = int(d_.decode_bypass_bins((lastXPrefix >> 1) - 1));
      LastSignificantCoeffX = (1 << ((lastXPrefix >> 1) - 1)) * (2 + (lastXPrefix & 1)) + suffix;
    }
    if (lastYPrefix > 3) {
      const int suffix = int(d_.decode_bypass_bins((lastYPrefix >> 1) - 1));
      LastSignificantCoeffY = (1 << ((lastYPrefix >> 1) - 1)) * (2 + (lastYPrefix & 1)) + suffix;
    }
    log2TbWidth = log2ZoTbWidth;
    log2TbHeight = log2ZoTbHeight;
    int remBinsPass1 = ((1 << (log2TbWidth + log2TbHeight)) * 7) >> 2;
    int log2SbW = (std::min(log2TbWidth, log2TbHeight) < 2 ? 1 : 2);
    int log2SbH = log2SbW;
    if (log2TbWidth + log2TbHeight > 3) {
      if (log2TbWidth < 2) {
        log2SbW = log2TbWidth;
        log2SbH = 4 - log2SbW;
      } else if (log2TbHeight < 2) {
        log2SbH = log2TbHeight;
        log2SbW = 4 - log2SbH;
      }
    }
    const int numSbCoeff = 1 << (log2SbW + log2SbH);
    const auto sbScan =
        diag_scan_order(1 << (log2TbWidth - log2SbW), 1 << (log2TbHeight - log2SbH));
    const auto scan = diag_scan_order(1 << log2SbW, 1 << log2SbH);
    int lastScanPos = numSbCoeff;
    int lastSubBlock = (1 << (log2TbWidth + log2TbHeight - (log2SbW + log2SbH))) - 1;
    int xC, yC;
    do {
      if (lastScanPos == 0) {
        lastScanPos = numSbCoeff;
        lastSubBlock--;
      }
      lastScanPos--;
      const int xS = sbScan[lastSubBlock].first, yS = sbScan[lastSubBlock].second;
      xC = (xS << log2SbW) + scan[lastScanPos].first;
      yC = (yS << log2SbH) + scan[lastScanPos].second;
    } while ((xC != LastSignificantCoeffX) || (yC != LastSignificantCoeffY));

    const int wSb = 1 << (log2TbWidth - log2SbW), hSb = 1 << (log2TbHeight - log2SbH);
    std::vector<int> sbCodedFlag(size_t(wSb) * hSb, 0);
    // the templates look only inside the (zero-out) TB
    const int W = 1 << log2TbWidth, H = 1 << log2TbHeight;
    auto loc_sum = [&](std::vector<int>& a, int x, int y) {
      int s = 0;
      if (x + 1 < W) s += at(a, x + 1, y);
      if (x + 2 < W) s += at(a, x + 2, y);
      if (x + 1 < W && y + 1 < H) s += at(a, x + 1, y + 1);
      if (y + 1 < H) s += at(a, x, y + 1);
      if (y + 2 < H) s += at(a, x, y + 2);
      return s;
    };
    static constexpr int kRice[32] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2,
                                      2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3};
    auto rice = [&](int x, int y, int baseLevel) {
      const int locSumAbs = std::clamp(loc_sum(absLevel, x, y) - baseLevel * 5, 0, 31);
      return kRice[locSumAbs];
    };

    for (int i = lastSubBlock; i >= 0; i--) {
      const int xS = sbScan[i].first, yS = sbScan[i].second;
      int inferSbDcSigCoeffFlag = 0;
      // sb_coded_flag is inferred 1 for the first and the last sub-block
      int sbFlag = 1;
      if (i < lastSubBlock && i > 0) {
        const int csbfCtx = ((xS < wSb - 1 ? sbCodedFlag[yS * wSb + xS + 1] : 0) |
                             (yS < hSb - 1 ? sbCodedFlag[(yS + 1) * wSb + xS] : 0)) +
                            (cIdx ? 2 : 0);
        sbFlag = int(d_.decode_bin(ctx_[vvc::kCtxSbCodedFlag + csbfCtx]));
        inferSbDcSigCoeffFlag = 1;
      }
      sbCodedFlag[yS * wSb + xS] = sbFlag;
      const int startQStateSb = QState;
      int gtx0[16] = {}, par[16] = {}, gtx1[16] = {};
      const int firstPosMode0 = (i == lastSubBlock ? lastScanPos : numSbCoeff - 1);
      int firstPosMode1 = firstPosMode0;
      for (int n = firstPosMode0; n >= 0 && remBinsPass1 >= 4; n--) {
        xC = (xS << log2SbW) + scan[n].first;
        yC = (yS << log2SbH) + scan[n].second;
        const bool isLast = xC == LastSignificantCoeffX && yC == LastSignificantCoeffY;
        if (sbFlag && (n > 0 || !inferSbDcSigCoeffFlag) && !isLast) {
          const int d = xC + yC;
          const int locSumAbsPass1 = loc_sum(pass1, xC, yC);
          int ctxInc;
          if (cIdx == 0)
            ctxInc = 12 * std::max(0, QState - 1) + std::min((locSumAbsPass1 + 1) >> 1, 3) +
                     (d < 2 ? 8 : (d < 5 ? 4 : 0));
          else
            ctxInc = 36 + 8 * std::max(0, QState - 1) + std::min((locSumAbsPass1 + 1) >> 1, 3) +
                     (d < 2 ? 4 : 0);
          at(sig, xC, yC) = int(d_.decode_bin(ctx_[vvc::kCtxSigCoeffFlag + ctxInc]));
          remBinsPass1--;
          if (at(sig, xC, yC)) inferSbDcSigCoeffFlag = 0;
        } else {
          // inferred: 1 at the last position and for an inferred DC of a coded sub-block
          at(sig, xC, yC) = (isLast || (n == 0 && inferSbDcSigCoeffFlag && sbFlag)) ? 1 : 0;
        }
        if (at(sig, xC, yC)) {
          int ctxInc;
          if (isLast) {
            ctxInc = cIdx == 0 ? 0 : 21;
          } else {
            const int d = xC + yC;
            const int ctxOfs = std::min(loc_sum(pass1, xC, yC) - loc_sum(sig, xC, yC), 4);
            if (cIdx == 0)
              ctxInc = 1 + ctxOfs + (d == 0 ? 15 : d < 3 ? 10 : d < 10 ? 5 : 0);
            else
              ctxInc = 22 + ctxOfs + (d == 0 ? 5 : 0);
          }
          gtx0[n] = int(d_.decode_bin(ctx_[vvc::kCtxAbsLevelGtxFlag + ctxInc]));
          remBinsPass1--;
          if (gtx0[n]) {
            par[n] = int(d_.decode_bin(ctx_[vvc::kCtxParLevelFlag + ctxInc]));
            remBinsPass1--;
            gtx1[n] = int(d_.decode_bin(ctx_[vvc::kCtxAbsLevelGtxFlag + 32 + ctxInc]));
            remBinsPass1--;
          }
        }
        at(pass1, xC, yC) = at(sig, xC, yC) + par[n] + gtx0[n] + 2 * gtx1[n];
        if (depQuant) QState = QStateTransTable[QState][at(pass1, xC, yC) & 1];
        firstPosMode1 = n - 1;
      }
      for (int n = firstPosMode0; n > firstPosMode1; n--) {
        xC = (xS << log2SbW) + scan[n].first;
        yC = (yS << log2SbH) + scan[n].second;
        int absRemainder = 0;
        if (gtx1[n]) absRemainder = decode_abs(rice(xC, yC, 4));
        at(absLevel, xC, yC) = at(pass1, xC, yC) + 2 * absRemainder;
      }
      for (int n = firstPosMode1; n >= 0; n--) {
        xC = (xS << log2SbW) + scan[n].first;
        yC = (yS << log2SbH) + scan[n].second;
        if (sbFlag) {
          const int cRiceParam = rice(xC, yC, 0);
          const int decAbsLevel = decode_abs(cRiceParam);
          const int ZeroPos = (QState < 2 ? 1 : 2) << cRiceParam;
          at(absLevel, xC, yC) =
              decAbsLevel == ZeroPos ? 0 : (decAbsLevel < ZeroPos ? decAbsLevel + 1 : decAbsLevel);
        }
        if (depQuant) QState = QStateTransTable[QState][at(absLevel, xC, yC) & 1];
      }
      if (depQuant) QState = startQStateSb;
      // (a sub-block with sb_coded_flag 0 runs through here too: zero-parity steps)
      for (int n = (i == lastSubBlock ? lastScanPos : numSbCoeff - 1); n >= 0; n--) {
        xC = (xS << log2SbW) + scan[n].first;
        yC = (yS << log2SbH) + scan[n].second;
        const int a = at(absLevel, xC, yC);
        if (a > 0) {
          const int sign = int(d_.decode_bypass());
          out[size_t(yC) * tbW + xC] = sign ? -a : a;
          if (trans) {
            const int t = depQuant ? 2 * a - (QState > 1 ? 1 : 0) : a;
            (*trans)[size_t(yC) * tbW + xC] = sign ? -t : t;
          }
        }
        if (depQuant) QState = QStateTransTable[QState][a & 1];
      }
    }
  }

 private:
  // TR binarization with cMax = (log2ZoTbSize << 1) - 1, contexts of 9.3.4.2.4.
  int last_prefix(int log2TbSize, int log2ZoTbSize, int cIdx, bool isX) {
    int ctxOffset, ctxShift;
    if (cIdx == 0) {
      static constexpr int offsetY[6] = {0, 0, 3, 6, 10, 15};
      ctxOffset = offsetY[log2TbSize - 1];
      ctxShift = (log2TbSize + 1) >> 2;
    } else {
      ctxOffset = 20;
      ctxShift = std::clamp((1 << log2TbSize) >> 3, 0, 2);
    }
    const int cMax = (log2ZoTbSize << 1) - 1;
    const int base = isX ? vvc::kCtxLastSigCoeffXPrefix : vvc::kCtxLastSigCoeffYPrefix;
    int v = 0;
    while (v < cMax && d_.decode_bin(ctx_[base + ctxOffset + (v >> ctxShift)])) v++;
    return v;
  }

  // 9.3.3.11: prefix TR (cMax 6 << rice), suffix limited EGk (k = rice + 1, maxPreExtLen 11,
  // log2TransformRange 15).
  int decode_abs(int cRiceParam) {
    int prefix = 0;
    while (prefix < 6 && d_.decode_bypass()) prefix++;
    if (prefix < 6) return (prefix << cRiceParam) + int(d_.decode_bypass_bins(cRiceParam));
    const int k = cRiceParam + 1;
    int preExtLen = 0;
    while (preExtLen < 11 && d_.decode_bypass()) preExtLen++;
    const int escapeLength = preExtLen == 11 ? 15 : preExtLen + k;
    const int val = int(d_.decode_bypass_bins(escapeLength)) + (((1 << preExtLen) - 1) << k);
    return (6 << cRiceParam) + val;
  }

  CabacTestDecoder& d_;
  vvc::ContextSet& ctx_;
};

}  // namespace vvc_test

#include "cabac/bin_recorder.h"

namespace vvc {

std::vector<uint8_t> BinRecorder::replay(const ContextSet& init, const CtuHook& before_ctu) const {
  ContextSet ctx = init;
  CabacEncoder enc;
  enc.start();
  size_t nextCtu = 0;
  for (size_t i = 0; i < bins_.size(); ++i) {
    while (nextCtu < ctu_start_.size() && ctu_start_[nextCtu] == i) {
      if (before_ctu) before_ctu(nextCtu, enc, ctx);
      ++nextCtu;
    }
    const Bin& b = bins_[i];
    switch (b.kind & 3u) {
      case kRegular:
        enc.encode_bin(ctx[static_cast<int>(b.kind >> 2)], b.value);
        break;
      case kBypass:
        enc.encode_bins_ep(b.value, static_cast<int>(b.kind >> 2));
        break;
      default:
        enc.encode_bin_trm(b.value);
        break;
    }
  }
  // CTUs marked after the last bin (cannot happen for a slice ending with its terminate bin).
  for (; nextCtu < ctu_start_.size(); ++nextCtu)
    if (before_ctu) before_ctu(nextCtu, enc, ctx);
  enc.finish();
  return std::move(enc.bytes());
}

}  // namespace vvc

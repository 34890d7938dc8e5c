#include "bitstream/nal.h"

namespace vvc {

const char* nal_type_name(NalType t) {
  switch (t) {
    case NalType::TRAIL:
      return "TRAIL";
    case NalType::STSA:
      return "STSA";
    case NalType::RADL:
      return "RADL";
    case NalType::RASL:
      return "RASL";
    case NalType::IDR_W_RADL:
      return "IDR_W_RADL";
    case NalType::IDR_N_LP:
      return "IDR_N_LP";
    case NalType::CRA:
      return "CRA";
    case NalType::GDR:
      return "GDR";
    default:
      return "?";
  }
}

std::vector<uint8_t> add_emulation_prevention(const std::vector<uint8_t>& rbsp) {
  std::vector<uint8_t> out;
  out.reserve(rbsp.size() + rbsp.size() / 64 + 4);
  int zeros = 0;
  for (uint8_t b : rbsp) {
    if (zeros >= 2 && b <= 0x03) {
      out.push_back(0x03);
      zeros = 0;
    }
    out.push_back(b);
    zeros = (b == 0) ? zeros + 1 : 0;
  }
  // A NAL unit must not end in 0x00 (only cabac_zero_words can cause it): 7.4.2.
  if (!out.empty() && out.back() == 0x00) out.push_back(0x03);
  return out;
}

void write_nal(std::vector<uint8_t>& annexb, NalType type, int temporalId,
               const std::vector<uint8_t>& rbsp) {
  static constexpr uint8_t kStartCode[4] = {0, 0, 0, 1};
  annexb.insert(annexb.end(), kStartCode, kStartCode + 4);
  // Byte 0: forbidden_zero_bit(1)=0, nuh_reserved_zero_bit(1)=0, nuh_layer_id(6)=0.
  annexb.push_back(0x00);
  // Byte 1: nal_unit_type(5), nuh_temporal_id_plus1(3).
  annexb.push_back(
      static_cast<uint8_t>((static_cast<unsigned>(type) << 3) | ((temporalId + 1) & 7)));
  const std::vector<uint8_t> payload = add_emulation_prevention(rbsp);
  annexb.insert(annexb.end(), payload.begin(), payload.end());
}

}  // namespace vvc

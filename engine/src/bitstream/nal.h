// NAL unit packaging (H.266 7.3.1, Annex B): 2-byte NAL unit header, emulation prevention,
// byte-stream start codes.
#pragma once
#include <cstdint>
#include <vector>

namespace vvc {

// nal_unit_type values, H.266 Table 5.
enum class NalType : uint8_t {
  TRAIL = 0,
  STSA = 1,
  RADL = 2,
  RASL = 3,
  IDR_W_RADL = 7,
  IDR_N_LP = 8,
  CRA = 9,
  GDR = 10,
  OPI = 12,
  DCI = 13,
  VPS = 14,
  SPS = 15,
  PPS = 16,
  PREFIX_APS = 17,
  SUFFIX_APS = 18,
  PH = 19,
  AUD = 20,
  EOS = 21,
  EOB = 22,
  PREFIX_SEI = 23,
  SUFFIX_SEI = 24,
  FD = 25,
};

// Inserts emulation_prevention_three_byte (0x03) after every 0x00 0x00 that is followed by a
// byte <= 0x03, and after a trailing 0x00 (7.4.2).
std::vector<uint8_t> add_emulation_prevention(const std::vector<uint8_t>& rbsp);

// Appends one NAL unit to an Annex B byte stream: start code 00 00 00 01, nal_unit_header()
// (forbidden_zero_bit 0, nuh_reserved_zero_bit 0, nuh_layer_id 0, nal_unit_type,
// nuh_temporal_id_plus1 = temporalId + 1), then the RBSP with emulation prevention.
// The name of a NAL unit type as Table 5 spells it ("CRA", "TRAIL", ...; "?" for others).
const char* nal_type_name(NalType t);

void write_nal(std::vector<uint8_t>& annexb, NalType type, int temporalId,
               const std::vector<uint8_t>& rbsp);

}  // namespace vvc

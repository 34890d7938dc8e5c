// The preset ladder: every rung (--preset NAME) is one SpeedSettings, made by speed_preset()
// alone, from the most thorough search (exhaustive) to the cheapest (fast). Presets set speed
// knobs only, never a coding tool: the parameter sets are the same on every rung. Explicit
// speed flags of the command line apply on top of the preset; the CNN level (--nn-level) is
// independent of it.
#pragma once
#include <string>
#include <string_view>

#include "encoder/speed_settings.h"
#include "picture/gop.h"

namespace vvc {

// From the most thorough to the cheapest; the numbering is the ladder's order.
enum class Preset { kExhaustive, kSlower, kSlow, kMedium, kFast };
inline constexpr Preset kPresets[] = {Preset::kExhaustive, Preset::kSlower, Preset::kSlow,
                                      Preset::kMedium, Preset::kFast};
inline constexpr Preset kDefaultPreset = Preset::kSlower;

const char* preset_name(Preset p);
// Parses a preset name ("exhaustive", "slower", ...); false for anything else.
bool parse_preset(std::string_view name, Preset& out);
// The known names in ladder order, comma separated (for error and help texts).
std::string preset_names();

// The speed settings of a rung for a coding structure (the motion search range follows the
// CTC configuration of the structure: 384 with an adaptive range for random access, 64 else).
SpeedSettings speed_preset(Preset p, GopConfig config);

}  // namespace vvc

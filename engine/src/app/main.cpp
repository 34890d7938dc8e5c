// vtm-accel-engine: command-line front end of the engine (the contract with the Python
// harness is its --help and docs/cli.md). Parses options, reads the source, plans the coding
// structure (picture/gop.h: all intra, random access GOP 32, low-delay B), codes the pictures
// in coding order keeping a DPB of reconstructions, writes the Annex B stream, the recon in
// output (POC) order, and the JSON log in coding order.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/frame_log.h"
#include "app/slice_data.h"
#include "app/video_input.h"
#include "bitstream/nal.h"
#include "bitstream/params.h"
#include "bitstream/sei.h"
#include "encoder/presets.h"
#include "filter/alf_encoder.h"
#include "inter/interp.h"
#include "inter/motion_field.h"
#include "nn/counting_oracle.h"
#include "nn/nn_oracle.h"
#include "nn/split_rule.h"
#include "partition/split_oracle.h"
#include "picture/encode_picture.h"
#include "picture/gop.h"
#include "prefilter/block_importance.h"
#include "prefilter/source_window.h"
#include "prefilter/temporal_filter.h"

namespace {

using namespace vvc;

constexpr const char* kUsage =
    "usage: vtm-accel-engine --input FILE [--width W --height H] [--fps F]\n"
    "         [--input-bit-depth 8|10] --frames N [--frame-skip K] --qp Q\n"
    "         [--qp-offsets o0,o1,...] --bitstream OUT.266 [--recon RECON.yuv]\n"
    "         [--log LOG.jsonl] [--md5-sei] [--no-deblock] [--intra-period N]\n"
    "         [--no-cclm]\n"
    "         [--no-dmvr] [--no-bdof]\n"
    "         [--no-alf]\n"
    "         [--no-dep-quant] [--no-fast-inter-split] [--no-pb-intra-fast]\n"
    "         [--no-deblock-rdo] [--bim 0|1]\n"
    "         [--search-range N]\n"
    "         [--mctf 0|1] [--first-irap auto|poc0|gop]\n"
    "         [--split-log FILE] [--preset NAME] [--config ai|ra|ldb]\n"
    "         [--nn MODEL | --nn-attach NAME] [--nn-level L] [--nn-python PATH]\n"
    "         [--nn-device cpu|cuda] [--nn-timeout-ms T] [--nn-first-timeout-ms T]\n"
    "\n"
    "Encodes 4:2:0 video as VVC (H.266) Main 10: all intra (IDR pictures), random access\n"
    "(GOP 32, CRA every intra period) or low-delay B (GOP 8), as VTM's CTC cfgs.\n"
    "  --input FILE          .yuv (raw planar 4:2:0) or .y4m (size, rate and depth from its\n"
    "                        header: C420jpeg/C420paldv/C420mpeg2/C420 8-bit, C420p10)\n"
    "  --width W --height H  source size, required for .yuv (must match a .y4m header)\n"
    "  --fps F               frame rate, e.g. 50, 29.97 or 30000/1001 (default: .y4m\n"
    "                        header, else 30); only used for the level choice\n"
    "  --input-bit-depth B   8 (default) or 10 (16-bit little-endian samples) for .yuv\n"
    "  --frames N            number of frames to code\n"
    "  --frame-skip K        skip the first K frames of the input (default 0)\n"
    "  --qp Q                base QP, 0..63\n"
    "  --qp-offsets LIST     per-picture QP offsets, used cyclically over the coding order\n"
    "                        (--config ai only; ra/ldb use the cfg's QP cascade)\n"
    "  --bitstream OUT.266   Annex B output\n"
    "  --recon FILE          reconstruction, 10-bit little-endian 4:2:0, source size\n"
    "  --log FILE            JSON lines, one per picture: poc, slice_type, qp, bits,\n"
    "                        psnr_y/u/v (peak 1023, against the source at 10 bits), time_s\n"
    "  --md5-sei             add a decoded picture hash SEI (MD5) after every picture\n"
    "  --no-deblock          switch the deblocking filter off\n"
    "  --no-cclm             switch cross-component linear model chroma intra prediction\n"
    "                        (CCLM: LT/L/T modes 81..83) off (sps flag 0)\n"
    "  --no-dmvr             switch decoder-side MV refinement (DMVR) off (sps flag 0)\n"
    "  --no-bdof             switch bi-directional optical flow (BDOF) off (sps flag 0)\n"
    "  --no-alf              switch the adaptive loop filter (ALF, luma + chroma) off\n"
    "  --no-dep-quant        switch dependent quantization (4-state trellis quantizer) off;\n"
    "                        RDOQ is used instead (sps_dep_quant_enabled_flag 0)\n"
    "  --no-fast-inter-split switch off the early terminations of the P/B split search\n"
    "                        (slower: VVenC's fast TT split, TT_X only when BT_X cost at\n"
    "                        most 1.1x the no-split CU and the other BT; the faster presets\n"
    "                        add more): every allowed split is tried\n"
    "  --no-pb-intra-fast    in P/B slices, give every short-listed intra mode a full RD\n"
    "                        trial (default: VTM's PBIntraFast, only modes whose SATD is\n"
    "                        within 1.1x the best inter prediction's)\n"
    "  --no-deblock-rdo      decide CUs on their distortion before deblocking (default: the\n"
    "                        cost counts what deblocking their left and top edges changes in\n"
    "                        the CU and its neighbours, VTM's EncDbOpt)\n"
    "  --search-range N      motion search range in integer samples (default as the CTC\n"
    "                        cfgs: 384 for ra, narrowed per reference by VTM's adaptive\n"
    "                        rule to max(96, 384 * POC distance / 32); 64 for ldb)\n"
    "  --mctf 0|1            temporal pre-filter (MCTF) of the key pictures' source (encoder\n"
    "                        only; PSNR stays against the unfiltered source); default 1\n"
    "                        for ra and ldb, 0 for ai (not available there)\n"
    "  --bim 0|1             block importance mapping: QP offsets per picture and CTU (sent\n"
    "                        as cu_qp_delta) from the temporal filter's motion errors, lower\n"
    "                        where neighbouring pictures predict well (VVenC's BIM); default\n"
    "                        1 with --mctf 1\n"
    "  --config C            ai (default: every picture IDR), ra (random access: GOP 32,\n"
    "                        hierarchical B, 6 temporal layers, CRA every intra period) or\n"
    "                        ldb (low-delay B: GOP 8, first picture intra)\n"
    "  --intra-period N      ra/ldb: a CRA picture every N pictures; 0 or -1: only the\n"
    "                        first picture. Default for ra: 32 (<= 30 fps), 48 (50 fps),\n"
    "                        64 (60 fps); for ldb: -1. Ignored by ai (every picture IDR)\n"
    "  --first-irap auto|poc0|gop  ra: where the first IRAP picture goes. poc0: POC 0 (VTM's\n"
    "                        CTC structure); gop: closing the first GOP (an IDR at POC 31,\n"
    "                        or the largest power of two minus one that the intra period's\n"
    "                        remainder or the sequence holds; VVenC's default) with RADL\n"
    "                        leading pictures; auto (default): poc0 unless gop codes fewer\n"
    "                        intra pictures (--poc0-irap 1 / 0: the same as poc0 / gop)\n"
    "  --inter-as-intra      ra/ldb: code the B pictures with I slices (same structure,\n"
    "                        lists and QPs; automatic while the engine has no inter coding)\n"
    "  --plan-only           print the coding structure (coding order, POC, TemporalId, NAL\n"
    "                        type, slice type, QP, lambda, reference lists, DPB sizes), exit\n"
    "  --split-log FILE      write the CTU split decisions (training data) as JSON lines\n"
    "  --preset NAME         speed preset, the search's thoroughness: exhaustive (no early\n"
    "                        termination), slower (default), slow, medium, fast; speed\n"
    "                        flags above (--no-fast-inter-split, --search-range, ...) apply\n"
    "                        on top of it. Never changes the coding tools\n"
    "  --nn MODEL            prune the partition search with the CNN: starts the predictor\n"
    "                        service (PYTHON -m vtm_accel.predictors.service) as a child\n"
    "  --nn-attach NAME      use a running shared service instead (its segment name)\n"
    "  --nn-level L          0 (exhaustive) .. 5 (fastest), default 2\n"
    "  --nn-python PATH      Python for the service (default $VTM_ACCEL_PYTHON, else python3)\n"
    "  --nn-device D         cpu (default) or cuda, for the spawned service\n"
    "  --nn-timeout-ms T     wait per picture for the service (default 2000 + 50 per CTU);\n"
    "                        on a timeout or a dead service the rest of the encode is\n"
    "                        exhaustive\n"
    "  --nn-first-timeout-ms T  the same for the first picture (model load; default 30000)\n"
    "  --help                this text\n"
    "Exit status: 0 success, 2 bad input or options (message on stderr), 1 internal error.\n";

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

struct UsageError {
  std::string msg;
};

struct Options {
  std::string input, bitstream, recon, log, split_log;
  int width = 0, height = 0, input_bit_depth = 0;
  int fps_num = 0, fps_den = 1;
  int frames = -1, frame_skip = 0, qp = -100, intra_period = 1;
  std::vector<int> qp_offsets;
  bool md5_sei = false, deblock = true, help = false;
  bool cclm = true;
  bool dmvr = true, bdof = true;
  bool alf = true;
  bool dep_quant = true;
  bool fast_inter_split = true;
  bool pb_intra_fast = true;
  bool deblock_aware_rdo = true;
  int bim = -1;                             // -1: on when mctf is
  int search_range = 0;                     // --search-range N; 0: the config's default
  int mctf = -1;                            // --mctf 0|1; -1: the config's default (on for ra/ldb)
  FirstIrap first_irap = FirstIrap::kAuto;  // --first-irap
  bool first_irap_given = false;
  bool intra_period_given = false, inter_as_intra = false, plan_only = false;
  GopConfig config = GopConfig::AllIntra;
  Preset preset = kDefaultPreset;
  PredictorConfig nn;
  int nn_level = 2;
  bool nn_level_given = false;
};

int parse_int(const std::string& flag, const std::string& v, int lo, int hi) {
  char* end = nullptr;
  errno = 0;
  const long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno != 0 || n < lo || n > hi)
    throw UsageError{flag + " expects an integer in " + std::to_string(lo) + ".." +
                     std::to_string(hi) + ", got '" + v + "'"};
  return static_cast<int>(n);
}

void parse_fps(const std::string& v, Options& o) {
  const size_t sep = v.find_first_of("/:");
  if (sep != std::string::npos) {
    o.fps_num = parse_int("--fps", v.substr(0, sep), 1, 1000000);
    o.fps_den = parse_int("--fps", v.substr(sep + 1), 1, 1000000);
    return;
  }
  char* end = nullptr;
  const double f = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !(f > 0) || f > 1000)
    throw UsageError{"--fps expects a positive rate such as 50, 29.97 or 30000/1001, got '" + v +
                     "'"};
  if (std::fabs(f - std::round(f)) < 1e-9) {
    o.fps_num = static_cast<int>(std::round(f));
    o.fps_den = 1;
  } else {
    o.fps_num = static_cast<int>(std::round(f * 1000));
    o.fps_den = 1000;
  }
}

Options parse_args(int argc, char** argv) {
  Options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool hasInline = false;
    if (const size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      hasInline = true;
    }
    auto next = [&]() -> std::string {
      if (hasInline) return value;
      if (i + 1 >= args.size()) throw UsageError{flag + " needs a value"};
      return args[++i];
    };
    if (flag == "--help" || flag == "-h") {
      o.help = true;
    } else if (flag == "--input") {
      o.input = next();
    } else if (flag == "--width") {
      o.width = parse_int(flag, next(), 2, 16888);
    } else if (flag == "--height") {
      o.height = parse_int(flag, next(), 2, 16888);
    } else if (flag == "--fps") {
      parse_fps(next(), o);
    } else if (flag == "--input-bit-depth") {
      o.input_bit_depth = parse_int(flag, next(), 8, 10);
      if (o.input_bit_depth != 8 && o.input_bit_depth != 10)
        throw UsageError{"--input-bit-depth must be 8 or 10"};
    } else if (flag == "--frames") {
      o.frames = parse_int(flag, next(), 1, 1000000);
    } else if (flag == "--frame-skip") {
      o.frame_skip = parse_int(flag, next(), 0, 100000000);
    } else if (flag == "--qp") {
      o.qp = parse_int(flag, next(), 0, 63);
    } else if (flag == "--qp-offsets") {
      const std::string v = next();
      size_t start = 0;
      while (start <= v.size()) {
        const size_t comma = v.find(',', start);
        const std::string item =
            v.substr(start, comma == std::string::npos ? v.npos : comma - start);
        o.qp_offsets.push_back(parse_int(flag, item, -63, 63));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (flag == "--bitstream") {
      o.bitstream = next();
    } else if (flag == "--recon") {
      o.recon = next();
    } else if (flag == "--log") {
      o.log = next();
    } else if (flag == "--md5-sei") {
      o.md5_sei = true;
    } else if (flag == "--no-deblock") {
      o.deblock = false;
    } else if (flag == "--no-cclm") {
      o.cclm = false;
    } else if (flag == "--no-dmvr") {
      o.dmvr = false;
    } else if (flag == "--no-bdof") {
      o.bdof = false;
    } else if (flag == "--no-alf") {
      o.alf = false;
    } else if (flag == "--no-dep-quant") {
      o.dep_quant = false;
    } else if (flag == "--no-fast-inter-split") {
      o.fast_inter_split = false;
    } else if (flag == "--no-pb-intra-fast") {
      o.pb_intra_fast = false;
    } else if (flag == "--bim") {
      o.bim = parse_int(flag, next(), 0, 1);
    } else if (flag == "--no-deblock-rdo") {
      o.deblock_aware_rdo = false;
    } else if (flag == "--search-range") {
      o.search_range = parse_int(flag, next(), 1, 2048);
    } else if (flag == "--mctf") {
      o.mctf = parse_int(flag, next(), 0, 1);
    } else if (flag == "--poc0-irap") {  // the earlier spelling of --first-irap poc0|gop
      o.first_irap = parse_int(flag, next(), 0, 1) ? FirstIrap::kPoc0 : FirstIrap::kFirstGop;
      o.first_irap_given = true;
    } else if (flag == "--first-irap") {
      const std::string v = next();
      if (v == "auto")
        o.first_irap = FirstIrap::kAuto;
      else if (v == "poc0")
        o.first_irap = FirstIrap::kPoc0;
      else if (v == "gop")
        o.first_irap = FirstIrap::kFirstGop;
      else
        throw UsageError{"--first-irap takes auto, poc0 or gop, not '" + v + "'"};
      o.first_irap_given = true;
    } else if (flag == "--intra-period") {
      o.intra_period = parse_int(flag, next(), -1, 100000);  // <= 0: first picture only
      o.intra_period_given = true;
    } else if (flag == "--config") {
      const std::string v = next();
      if (!parse_gop_config(v, o.config))
        throw UsageError{"unknown --config '" + v + "' (known: ai, ra, ldb)"};
    } else if (flag == "--inter-as-intra") {
      o.inter_as_intra = true;
    } else if (flag == "--plan-only") {
      o.plan_only = true;
    } else if (flag == "--split-log") {
      o.split_log = next();
    } else if (flag == "--nn") {
      o.nn.model = next();
    } else if (flag == "--nn-attach") {
      o.nn.attach = next();
    } else if (flag == "--nn-level") {
      o.nn_level = parse_int(flag, next(), 0, kNnMaxLevel);
      o.nn_level_given = true;
    } else if (flag == "--nn-python") {
      o.nn.python = next();
    } else if (flag == "--nn-device") {
      o.nn.device = next();
    } else if (flag == "--nn-timeout-ms") {
      o.nn.timeout_ms = parse_int(flag, next(), 0, 3600000);  // 0: default
    } else if (flag == "--nn-first-timeout-ms") {
      o.nn.first_timeout_ms = parse_int(flag, next(), 1, 3600000);
    } else if (flag == "--preset") {
      const std::string v = next();
      if (!parse_preset(v, o.preset))
        throw UsageError{"unknown --preset '" + v + "' (known: " + preset_names() + ")"};
    } else if (flag == "--speed") {
      throw UsageError{"--speed is gone: use --preset NAME (" + preset_names() +
                       "; the former --speed exhaustive is the default, slower)"};
    } else {
      throw UsageError{"unknown option '" + args[i] + "' (see --help)"};
    }
  }
  if (o.help) return o;
  std::string missing;
  if (o.input.empty()) missing += " --input";
  if (o.frames < 0) missing += " --frames";
  if (o.qp == -100) missing += " --qp";
  if (o.bitstream.empty()) missing += " --bitstream";
  if (!missing.empty()) throw UsageError{"missing required option(s):" + missing + " (see --help)"};
  if (!o.nn.model.empty() && !o.nn.attach.empty())
    throw UsageError{"give --nn MODEL (start a service) or --nn-attach NAME (use one), not both"};
  if (o.nn_level_given && o.nn.model.empty() && o.nn.attach.empty())
    throw UsageError{"--nn-level needs --nn MODEL or --nn-attach NAME"};
  if (o.config != GopConfig::AllIntra && !o.qp_offsets.empty())
    throw UsageError{"--qp-offsets is for --config ai; ra and ldb use the cfg's QP cascade"};
  if (o.config == GopConfig::AllIntra && o.mctf == 1)
    throw UsageError{"--mctf 1 needs --config ra or ldb (all-intra has no key pictures)"};
  if (o.bim == 1 && (o.config == GopConfig::AllIntra || o.mctf == 0))
    throw UsageError{"--bim 1 needs the temporal filter (--config ra or ldb, --mctf 1)"};
  if (o.config != GopConfig::RandomAccess && o.first_irap_given && o.first_irap != FirstIrap::kPoc0)
    throw UsageError{
        "--first-irap auto|gop needs --config ra (ldb and ai start with an intra "
        "picture)"};
  return o;
}

int run(const Options& opt) {
  VideoReader reader;
  InputRequest req{opt.input, opt.width, opt.height, opt.input_bit_depth};
  if (std::string err = reader.open(req); !err.empty()) throw UsageError{err};
  const VideoInfo& vi = reader.info();
  const int64_t last = static_cast<int64_t>(opt.frame_skip) + opt.frames;
  if (last > vi.num_frames)
    throw UsageError{"truncated input: asked for " + std::to_string(opt.frames) +
                     " frames after skipping " + std::to_string(opt.frame_skip) + ", but '" +
                     opt.input + "' has only " + std::to_string(vi.num_frames) + " frames"};

  EncoderConfig cfg;
  cfg.src_width = vi.width;
  cfg.src_height = vi.height;
  cfg.width = (vi.width + 7) / 8 * 8;
  cfg.height = (vi.height + 7) / 8 * 8;
  cfg.input_bit_depth = vi.bit_depth;
  if (opt.fps_num > 0) {
    cfg.fps_num = opt.fps_num;
    cfg.fps_den = opt.fps_den;
  } else if (vi.fps_num > 0 && vi.fps_den > 0) {
    cfg.fps_num = vi.fps_num;
    cfg.fps_den = vi.fps_den;
  }
  cfg.qp = opt.qp;
  cfg.qp_offsets = opt.qp_offsets;
  cfg.intra_period = opt.intra_period;
  cfg.deblock = opt.deblock;
  cfg.cclm = opt.cclm;
  cfg.dmvr = opt.dmvr;
  cfg.bdof = opt.bdof;
  cfg.alf = opt.alf;
  cfg.dep_quant = opt.dep_quant;
  cfg.speed = speed_preset(opt.preset, opt.config);  // the explicit speed flags on top
  if (!opt.fast_inter_split) cfg.speed.partition.fast_inter_split = false;
  if (!opt.pb_intra_fast) cfg.speed.intra.pb_intra_fast = false;
  if (!opt.deblock_aware_rdo) cfg.speed.rdo.deblock_aware = false;
  if (opt.search_range > 0) cfg.speed.inter.search_range = opt.search_range;
  cfg.md5_sei = opt.md5_sei;
  cfg.mctf = opt.mctf >= 0 ? opt.mctf == 1 : opt.config != GopConfig::AllIntra;
  cfg.bim = opt.bim >= 0 ? opt.bim == 1 : cfg.mctf;
  cfg.cu_qp_delta = cfg.bim;
  cfg.split_log_path = opt.split_log;
  cfg.speed.nn.level = opt.nn_level;
  if (std::string err = validate_config(cfg); !err.empty()) throw UsageError{err};

  OutFile bitstream, recon, log;
  if (std::string err = bitstream.open(opt.bitstream); !err.empty()) throw UsageError{err};
  if (!opt.recon.empty())
    if (std::string err = recon.open(opt.recon); !err.empty()) throw UsageError{err};
  if (!opt.log.empty())
    if (std::string err = log.open(opt.log); !err.empty()) throw UsageError{err};

  if (!slice_data_encoder_available())
    std::fprintf(stderr,
                 "warning: no picture encoder linked yet: the stream has headers only and is "
                 "not decodable\n");

  // Split oracles: exhaustive or split logger, optionally pruned by the CNN, always counted.
  std::unique_ptr<SplitOracle> baseOracle;
  if (!cfg.split_log_path.empty())
    baseOracle = std::make_unique<LoggingOracle>(cfg.split_log_path);
  else
    baseOracle = std::make_unique<AllSplitsOracle>();
  std::unique_ptr<NnOracle> nnOracle;
  if (!opt.nn.model.empty() || !opt.nn.attach.empty()) {
    nnOracle = std::make_unique<NnOracle>(opt.nn, cfg.speed.nn, cfg.width, cfg.height, *baseOracle);
    if (cfg.speed.nn.level > 0) nnOracle->start();
  }
  CountingOracle counter(nnOracle ? static_cast<SplitOracle&>(*nnOracle) : *baseOracle);
  set_split_oracle(&counter);
  struct Uninstall {
    ~Uninstall() { set_split_oracle(nullptr); }
  } uninstall;

  // Coding structure.
  GopParams gp;
  gp.config = opt.config;
  gp.num_frames = opt.frames;
  gp.base_qp = cfg.qp;
  gp.first_irap = opt.config == GopConfig::RandomAccess ? opt.first_irap : FirstIrap::kPoc0;
  if (opt.config == GopConfig::RandomAccess)
    gp.intra_period = opt.intra_period_given ? opt.intra_period : default_intra_period(cfg.fps());
  else
    gp.intra_period = opt.intra_period_given ? opt.intra_period : -1;
  const SequencePlan plan = plan_sequence(gp);
  if (opt.config != GopConfig::AllIntra) {
    apply_plan_to_config(plan, cfg);
    if (std::string err = check_plan(plan); !err.empty()) {
      std::fprintf(stderr, "internal error: coding structure: %s\n", err.c_str());
      return 1;
    }
  }
  const bool interAsIntra = opt.inter_as_intra || !slice_data_inter_available();
  if (opt.plan_only) {
    std::printf(
        "config %s, %d frames, intra period %d, base QP %d: sps_max_sublayers_minus1 %d, "
        "max_dec_pic_buffering_minus1 %d, max_num_reorder_pics %d\n",
        gop_config_name(opt.config), opt.frames, gp.intra_period, cfg.qp, plan.max_sublayers_minus1,
        plan.max_dec_pic_buffering_minus1, plan.max_num_reorder_pics);
    std::printf("# idx poc tid nal slice qp lambda L0 | L1 (POCs; '*' marks active entries)\n");
    for (const PicturePlan& pic : plan.pictures) {
      std::string lists;
      for (int l = 0; l < 2; ++l) {
        if (l) lists += " |";
        for (size_t k = 0; k < pic.rpl[l].size(); ++k) {
          lists.push_back(' ');
          lists.append(std::to_string(pic.rpl[l][k]));
          if (static_cast<int>(k) < pic.num_active[l]) lists.push_back('*');
        }
      }
      const char st = pic.slice_type == SliceType::I ? 'I' : 'B';
      std::printf("%d %d %d %s %c %d %.2f%s\n", pic.coding_index, pic.poc, pic.temporal_id,
                  nal_type_name(pic.nal_type), st, pic.qp, pic.lambda, lists.c_str());
    }
    return 0;
  }

  // Decoded picture buffer: reconstructions kept while a later picture references them or
  // until they are written to the recon file in POC order.
  struct DpbPicture {
    Picture recon;
    int qp = 0;
    int temporal_id = 0;
    bool output_pending = true;
    std::unique_ptr<MotionField> motion;    // for TMVP of later pictures
    std::unique_ptr<PaddedPicture> padded;  // bordered copy for MC, built once when first used
  };
  std::map<int, std::unique_ptr<DpbPicture>> dpb;
  int nextOutput = 0;  // POC written next to the recon file

  // Source frames, each read once and kept while a picture still to code (or the temporal
  // pre-filter of one: up to its range of neighbours) needs it.
  SourceWindow sources(cfg.width, cfg.height, [&](int poc, Picture& p) {
    return reader.read_frame(opt.frame_skip + poc, p);
  });
  auto source = [&](int poc) -> const Picture& {
    std::string err;
    const Picture* p = sources.get(poc, err);
    if (!p) throw UsageError{err};
    return *p;
  };
  MctfParams mctf;
  mctf.base_qp = cfg.qp;
  mctf.gop_size = gop_size(opt.config);
  if (gp.intra_period > 0) mctf.gop_size = std::min(mctf.gop_size, gp.intra_period);
  mctf.future_refs = opt.config == GopConfig::RandomAccess;
  mctf.num_frames = opt.frames;
  mctf.width = cfg.src_width;
  mctf.height = cfg.src_height;
  mctf.gop_position.assign(static_cast<size_t>(opt.frames), 0);
  for (const PicturePlan& pic : plan.pictures)
    if (pic.gop_entry >= 0)
      mctf.gop_position[static_cast<size_t>(pic.poc)] =
          gop_entries(opt.config)[static_cast<size_t>(pic.gop_entry)].poc;
  std::vector<int> firstNeeded(plan.pictures.size() + 1, INT_MAX);  // by coding index
  for (size_t k = plan.pictures.size(); k-- > 0;) {
    const int poc = plan.pictures[k].poc;
    firstNeeded[k] = std::min(firstNeeded[k + 1], cfg.mctf ? mctf_first_needed(mctf, poc) : poc);
  }
  Picture filtered;
  std::map<int, QpOffsetMap> bimMaps;  // by POC, for the pictures that reference them
  int mctfPictures = 0;
  double mctfSecs = 0;
  AlfApsStore alfStore;  // the ALF APSs sent so far in this coded video sequence
  size_t codingIndex = 0;
  uint64_t totalBytes = 0;
  double sumPsnr[3] = {0, 0, 0};
  for (const PicturePlan& pic : plan.pictures) {
    const Picture& orig = source(pic.poc);
    const auto t0 = std::chrono::steady_clock::now();
    // The encoder codes the filtered source of key pictures; PSNR stays against orig.
    const Picture* encIn = &orig;
    QpOffsetMap bim;  // block importance: QP offsets of the picture and its CTUs
    if (cfg.mctf &&
        filter_source(mctf, pic.poc, source, filtered, cfg.bim ? &bim : nullptr, cfg.ctu_size())) {
      encIn = &filtered;
      ++mctfPictures;
      mctfSecs += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } else if (cfg.bim && pic.slice_type != SliceType::I) {
      auto m0 = bimMaps.find(pic.rpl[0][0]), m1 = bimMaps.find(pic.rpl[1][0]);
      if (m0 != bimMaps.end() && m1 != bimMaps.end())
        bim = bim_from_references(m0->second, m1->second);
    }

    SliceParams sp = slice_params_for(pic);
    if (opt.config == GopConfig::AllIntra)
      sp.qp = std::clamp(cfg.picture_qp(pic.poc), -cfg.qp_bd_offset(), 63);
    double lambda = pic.lambda;
    if (bim.valid()) {
      sp.qp = std::clamp(sp.qp + bim.picture, -cfg.qp_bd_offset(), 63);
      lambda = picture_lambda(sp.qp, sp.slice_type, pic.temporal_id);
      bimMaps[pic.poc] = bim;
    }
    if (interAsIntra && sp.slice_type != SliceType::I) {
      sp.slice_type = SliceType::I;
      sp.inter_slice_allowed = false;
      sp.temporal_mvp = false;
    }

    // DPB marking of the decoder (8.3.3): keep what the current lists name (and what still
    // waits for output).
    for (auto it = dpb.begin(); it != dpb.end();) {
      const int r = it->first;
      const bool listed = std::find(pic.rpl[0].begin(), pic.rpl[0].end(), r) != pic.rpl[0].end() ||
                          std::find(pic.rpl[1].begin(), pic.rpl[1].end(), r) != pic.rpl[1].end();
      if (!listed && !it->second->output_pending)
        it = dpb.erase(it);
      else
        ++it;
    }

    PictureCoding pc;
    pc.poc = pic.poc;
    pc.qp = sp.qp;
    pc.slice_type = sp.slice_type;
    pc.temporal_id = pic.temporal_id;
    pc.nal_type = pic.nal_type;
    pc.lambda = lambda;
    if (bim.valid()) pc.ctu_qp_offset = bim.ctu;
    if (sp.slice_type != SliceType::I) {
      for (int l = 0; l < 2; ++l)
        for (int k = 0; k < pic.num_active[l]; ++k) {
          const int r = pic.rpl[l][static_cast<size_t>(k)];
          DpbPicture& d = *dpb.at(r);
          RefPicture rp;
          rp.poc = r;
          rp.recon = &d.recon;
          rp.motion = d.motion.get();
          if (!d.padded) {
            d.padded = std::make_unique<PaddedPicture>();
            d.padded->build(d.recon);
          }
          rp.padded = d.padded.get();
          rp.qp = d.qp;
          rp.temporal_id = d.temporal_id;
          pc.ref[l].push_back(rp);
        }
      pc.temporal_mvp = sp.temporal_mvp;
      pc.collocated_from_l0 = sp.collocated_from_l0;
      pc.collocated_ref_idx = sp.collocated_ref_idx;
    }
    auto cur = std::make_unique<DpbPicture>();
    cur->recon = Picture(cfg.width, cfg.height);
    cur->qp = sp.qp;
    cur->temporal_id = pic.temporal_id;
    if (opt.config != GopConfig::AllIntra) {  // all-intra pictures are never referenced
      cur->motion = std::make_unique<MotionField>();
      cur->motion->reset(cfg.width, cfg.height);
      // The slice's lists by POC, as TMVP and bS derivation read them later.
      RefLists& rl = cur->motion->refs;
      rl.poc = pic.poc;
      rl.is_b = sp.slice_type == SliceType::B;
      for (int l = 0; l < 2; ++l) {
        rl.num_ref[l] = static_cast<int>(pc.ref[l].size());
        for (int k = 0; k < rl.num_ref[l] && k < kMaxRefPics; ++k)
          rl.ref_poc[l][k] = pc.ref[l][static_cast<size_t>(k)].poc;
      }
      rl.tmvp = pc.temporal_mvp;
      rl.collocated_from_l0 = pc.collocated_from_l0;
      rl.collocated_ref_idx = pc.collocated_ref_idx;
      pc.motion_out = cur->motion.get();
    }
    Picture& rec = cur->recon;

    std::vector<uint8_t> au;
    if (pic.coding_index == 0 || (opt.config != GopConfig::AllIntra && pic.irap())) {
      // Parameter sets at the start and before every IRAP picture (random access points).
      write_nal(au, NalType::SPS, 0, write_sps(cfg));
      write_nal(au, NalType::PPS, 0, write_pps(cfg));
    }
    // Slice data first: its ALF stage (filter/alf_encoder.h) decides the slice header's ALF
    // fields and the ALF APS, which is sent before the slice.
    SliceAlf alf;
    pc.alf_out = &alf;
    pc.alf_store = &alfStore;
    CuStats cuStats;
    pc.stats_out = &cuStats;
    const std::vector<uint8_t> data =
        opt.config == GopConfig::AllIntra
            ? encode_slice_data(cfg, *encIn, rec, sp, &alf, &alfStore, &cuStats)
            : encode_picture_data(cfg, *encIn, rec, pc);
    sp.alf = alf;
    if (!alf.aps_rbsp.empty()) write_nal(au, NalType::PREFIX_APS, sp.temporal_id, alf.aps_rbsp);
    std::vector<uint8_t> slice = write_slice_header(cfg, sp);
    slice.insert(slice.end(), data.begin(), data.end());
    write_nal(au, sp.nal_type, sp.temporal_id, slice);
    if (cfg.md5_sei)
      write_nal(au, NalType::SUFFIX_SEI, sp.temporal_id, write_md5_sei(rec, rec.width, rec.height));
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    if (!bitstream.write(au.data(), au.size())) {
      std::fprintf(stderr, "error: writing '%s' failed\n", opt.bitstream.c_str());
      return 1;
    }
    totalBytes += au.size();
    FrameStats st;
    st.poc = pic.poc;
    st.slice_type = sp.slice_type == SliceType::I ? 'I' : sp.slice_type == SliceType::P ? 'P' : 'B';
    st.qp = sp.qp;
    st.bits = static_cast<uint64_t>(au.size()) * 8;
    for (int c = 0; c < 3; ++c) {
      const int w = c ? cfg.src_width / 2 : cfg.src_width;
      const int h = c ? cfg.src_height / 2 : cfg.src_height;
      st.psnr[c] = plane_psnr(orig.comp[c], rec.comp[c], w, h);
      sumPsnr[c] += st.psnr[c];
    }
    st.time_s = secs;
    st.cu = &cuStats;
    st.area = static_cast<uint64_t>(cfg.width) * static_cast<uint64_t>(cfg.height);
    st.nodes = static_cast<int64_t>(counter.take_nodes());
    if (opt.config != GopConfig::AllIntra) {
      st.temporal_id = pic.temporal_id;
      st.nal = nal_type_name(pic.nal_type);
    }
    if (log.is_open()) {
      const std::string line = json_line(st) + "\n";
      if (!log.write(line.data(), line.size())) {
        std::fprintf(stderr, "error: writing '%s' failed\n", opt.log.c_str());
        return 1;
      }
    }

    sources.release_before(firstNeeded[++codingIndex]);  // orig may go now

    // Store the picture, then write every picture that is next in output order.
    if (opt.config == GopConfig::AllIntra) dpb.clear();  // IDR pictures: nothing kept
    dpb[pic.poc] = std::move(cur);
    for (auto it = dpb.find(nextOutput); it != dpb.end() && it->second->output_pending;
         it = dpb.find(nextOutput)) {
      if (recon.is_open() &&
          !write_recon_frame(recon, it->second->recon, cfg.src_width, cfg.src_height)) {
        std::fprintf(stderr, "error: writing '%s' failed\n", opt.recon.c_str());
        return 1;
      }
      it->second->output_pending = false;
      ++nextOutput;
    }
  }
  if (!bitstream.close() || !recon.close() || !log.close()) {
    std::fprintf(stderr, "error: closing an output file failed\n");
    return 1;
  }
  if (nnOracle && cfg.speed.nn.level > 0)
    std::fprintf(stderr, "nn: level %d, %d of %d pictures pruned by the CNN%s\n",
                 cfg.speed.nn.level, nnOracle->pictures_predicted(), opt.frames,
                 nnOracle->fell_back() ? " (fell back to exhaustive search)" : "");
  if (mctfPictures > 0)
    std::fprintf(stderr, "mctf: %d pictures filtered in %.2f s, %zu source frames held at most\n",
                 mctfPictures, mctfSecs, sources.peak_size());
  std::printf("coded %d frames (%dx%d), %llu bytes, mean PSNR Y %.4f U %.4f V %.4f dB\n",
              opt.frames, cfg.src_width, cfg.src_height,
              static_cast<unsigned long long>(totalBytes), sumPsnr[0] / opt.frames,
              sumPsnr[1] / opt.frames, sumPsnr[2] / opt.frames);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options opt = parse_args(argc, argv);
    if (opt.help) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    return run(opt);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "error: %s\n", e.msg.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 1;
  }
}

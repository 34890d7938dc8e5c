// vtm-accel-engine: command-line front end of the engine (the contract with the Python
// harness is its --help and docs/cli.md). Parses the options into the configuration, opens
// the source and the outputs, and runs the sequence encoder (encoder/sequence_encoder.h):
// the Annex B stream, the recon in output (POC) order and the JSON log in coding order.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app/frame_log.h"
#include "app/video_input.h"
#include "bitstream/nal.h"
#include "bitstream/params.h"
#include "encoder/decision_chain.h"
#include "encoder/presets.h"
#include "encoder/sequence_encoder.h"
#include "nn/split_rule.h"
#include "picture/gop.h"

namespace {

using namespace vvc;

constexpr const char* kUsage =
    "usage: vtm-accel-engine --input FILE [--width W --height H] [--fps F]\n"
    "         [--input-bit-depth 8|10] --frames N [--frame-skip K] --qp Q\n"
    "         [--qp-offsets o0,o1,...] --bitstream OUT.266 [--recon RECON.yuv]\n"
    "         [--log LOG.jsonl] [--md5-sei] [--no-deblock] [--intra-period N]\n"
    "         [--no-cclm]\n"
    "         [--no-dmvr] [--no-bdof] [--amvr 0|1]\n"
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
    "  --amvr 0|1            adaptive MVD precision (AMVR: integer and four-sample MVDs,\n"
    "                        sps_amvr_enabled_flag); default 0: its search does not pay yet\n"
    "                        (docs/inter-tools.md)\n"
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
  bool amvr = false;
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
    } else if (flag == "--amvr") {
      o.amvr = parse_int(flag, next(), 0, 1) == 1;
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

// --plan-only: the coding structure, one line per picture in coding order.
void print_plan(const SequencePlan& plan, const GopParams& gp, int qp) {
  std::printf(
      "config %s, %d frames, intra period %d, base QP %d: sps_max_sublayers_minus1 %d, "
      "max_dec_pic_buffering_minus1 %d, max_num_reorder_pics %d\n",
      gop_config_name(gp.config), gp.num_frames, gp.intra_period, qp, plan.max_sublayers_minus1,
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
  cfg.amvr = opt.amvr;
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

  // Split decisions: exhaustive or split logger, optionally pruned by the CNN, always counted.
  DecisionChain decisions(cfg.split_log_path, opt.nn, cfg.speed.nn, cfg.width, cfg.height);
  if (std::string err = decisions.error(); !err.empty()) throw UsageError{err};
  SequenceEncoder encoder(
      cfg, gp, decisions,
      [&](int poc, Picture& p) { return reader.read_frame(opt.frame_skip + poc, p); },
      opt.inter_as_intra);
  if (!encoder.plan_error().empty()) {
    std::fprintf(stderr, "internal error: coding structure: %s\n", encoder.plan_error().c_str());
    return 1;
  }
  if (opt.plan_only) {
    print_plan(encoder.plan(), gp, cfg.qp);
    return 0;
  }

  CodedPicture pic;
  uint64_t totalBytes = 0;
  double sumPsnr[3] = {0, 0, 0};
  while (encoder.encode_next(pic)) {
    if (!bitstream.write(pic.au.data(), pic.au.size())) {
      std::fprintf(stderr, "error: writing '%s' failed\n", opt.bitstream.c_str());
      return 1;
    }
    totalBytes += pic.au.size();
    for (int c = 0; c < 3; ++c) sumPsnr[c] += pic.stats.psnr[c];
    if (log.is_open()) {
      const std::string line = json_line(pic.stats) + "\n";
      if (!log.write(line.data(), line.size())) {
        std::fprintf(stderr, "error: writing '%s' failed\n", opt.log.c_str());
        return 1;
      }
    }
    for (const Picture* out : pic.output)
      if (recon.is_open() && !write_recon_frame(recon, *out, cfg.src_width, cfg.src_height)) {
        std::fprintf(stderr, "error: writing '%s' failed\n", opt.recon.c_str());
        return 1;
      }
  }
  if (!bitstream.close() || !recon.close() || !log.close()) {
    std::fprintf(stderr, "error: closing an output file failed\n");
    return 1;
  }
  if (const NnOracle* nn = decisions.nn(); nn && cfg.speed.nn.level > 0)
    std::fprintf(stderr, "nn: level %d, %d of %d pictures pruned by the CNN%s\n",
                 cfg.speed.nn.level, nn->pictures_predicted(), opt.frames,
                 nn->fell_back() ? " (fell back to exhaustive search)" : "");
  if (encoder.mctf_pictures() > 0)
    std::fprintf(stderr, "mctf: %d pictures filtered in %.2f s, %zu source frames held at most\n",
                 encoder.mctf_pictures(), encoder.mctf_seconds(), encoder.source_frames_peak());
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
  } catch (const SourceError& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "internal error: %s\n", e.what());
    return 1;
  }
}

// The C API of include/vtm_accel_predictor.h: a thin layer over the engine's PredictorClient
// (protocol, spawning, timeouts, fallback), ctu_input (what the service gets) and split_rule
// (the decision rule). No C++ exception leaves it.
#include <exception>
#include <new>
#include <string>

#include "nn/ctu_input.h"
#include "nn/predictor_client.h"
#include "nn/split_rule.h"
#include "vtm_accel_predictor.h"

#define VTMA_EXPORT extern "C" __attribute__((visibility("default")))

// The header's constants are the engine's.
static_assert(VTMA_CTU_SIZE == vvc::shm::kCtuSize && VTMA_CTU_SIZE == vvc::kNnCtuSize);
static_assert(VTMA_MAP_SIZE == vvc::shm::kMapSize && VTMA_NUM_MAPS == vvc::shm::kNumMaps);
static_assert(VTMA_MAX_LEVEL == vvc::kNnMaxLevel && VTMA_ALL_SPLITS == vvc::kAllSplits);
static_assert(VTMA_SPLIT_NONE == int(vvc::SplitMode::kNone) &&
              VTMA_SPLIT_QT == int(vvc::SplitMode::kQt) &&
              VTMA_SPLIT_BT_H == int(vvc::SplitMode::kBtH) &&
              VTMA_SPLIT_BT_V == int(vvc::SplitMode::kBtV) &&
              VTMA_SPLIT_TT_H == int(vvc::SplitMode::kTtH) &&
              VTMA_SPLIT_TT_V == int(vvc::SplitMode::kTtV));
static_assert(VTMA_TREE_SINGLE == int(vvc::TreeType::kSingle) &&
              VTMA_TREE_DUAL_LUMA == int(vvc::TreeType::kDualLuma) &&
              VTMA_TREE_DUAL_CHROMA == int(vvc::TreeType::kDualChroma));
static_assert(VTMA_SLICE_B == int(vvc::SliceType::B) && VTMA_SLICE_P == int(vvc::SliceType::P) &&
              VTMA_SLICE_I == int(vvc::SliceType::I));

struct vtma_predictor {
  explicit vtma_predictor(const vvc::PredictorConfig& cfg) : client(cfg) {}
  vvc::PredictorClient client;
  int maxCtus = 0;
  int ctusX = 0, numCtus = 0;  // of the last predicted picture
  bool haveMaps = false;
  std::string error;
};

namespace {

thread_local std::string g_open_error;

vtma_status fail_argument(vtma_predictor* p, const char* why) {
  p->error = why;
  return VTMA_ERR_ARGUMENT;
}

vtma_status status_of(vvc::PredictorClient::Result r) {
  using R = vvc::PredictorClient::Result;
  switch (r) {
    case R::kOk:
      return VTMA_OK;
    case R::kTimeout:
      return VTMA_ERR_TIMEOUT;
    case R::kDead:
      return VTMA_ERR_SERVICE_GONE;
    case R::kError:
      return VTMA_ERR_SERVICE;
    case R::kStartFailed:
      return VTMA_ERR_START;
    case R::kFellBack:
      return VTMA_FALLEN_BACK;
  }
  return VTMA_ERR_SERVICE;
}

const char* or_empty(const char* s) {
  return s ? s : "";
}

}  // namespace

VTMA_EXPORT void vtma_options_init(vtma_options* opt) {
  if (!opt) return;
  *opt = vtma_options{};
  opt->first_timeout_ms = 30000;
}

VTMA_EXPORT vtma_status vtma_open(const vtma_options* opt, vtma_predictor** out) {
  if (!out) return VTMA_ERR_ARGUMENT;
  *out = nullptr;
  g_open_error.clear();
  const bool model = opt && opt->model && *opt->model, attach = opt && opt->attach && *opt->attach;
  const char* bad =
      !opt                                        ? "no options"
      : model == attach                           ? "give either model or attach"
      : opt->max_width < 1 || opt->max_height < 1 ? "max_width and max_height must be positive"
      : opt->timeout_ms < 0 || opt->first_timeout_ms < 0 ? "timeouts must not be negative"
                                                         : nullptr;
  if (bad) {
    g_open_error = bad;
    return VTMA_ERR_ARGUMENT;
  }
  try {
    vvc::PredictorConfig cfg;
    cfg.model = or_empty(opt->model);
    cfg.attach = or_empty(opt->attach);
    cfg.python = or_empty(opt->python);
    if (opt->device && *opt->device) cfg.device = opt->device;
    cfg.timeout_ms = opt->timeout_ms;
    if (opt->first_timeout_ms > 0) cfg.first_timeout_ms = opt->first_timeout_ms;
    auto* p = new vtma_predictor(cfg);
    p->maxCtus = vvc::ctu_count(opt->max_width, opt->max_height);
    *out = p;
    if (!p->client.start(p->maxCtus)) {
      p->error = p->client.why();
      return VTMA_ERR_START;
    }
    return VTMA_OK;
  } catch (const std::bad_alloc&) {
    g_open_error = "out of memory";
    return VTMA_ERR_MEMORY;
  } catch (const std::exception& e) {
    g_open_error = e.what();
    return VTMA_ERR_START;
  }
}

VTMA_EXPORT vtma_status vtma_predict_picture(vtma_predictor* p, const vtma_picture* pic) {
  if (!p) return VTMA_ERR_ARGUMENT;
  try {
    if (!pic || !pic->luma) return fail_argument(p, "no picture");
    if (pic->width < 1 || pic->height < 1 || vvc::ctu_count(pic->width, pic->height) > p->maxCtus)
      return fail_argument(p, "the picture is empty or has more CTUs than max_width x max_height");
    if (pic->luma_stride < pic->width || (pic->ref_luma && pic->ref_stride < pic->width))
      return fail_argument(p, "a stride is smaller than the width");
    if (pic->bit_depth < 8 || pic->bit_depth > 16)
      return fail_argument(p, "bit_depth must be 8..16");
    if (pic->slice_type < VTMA_SLICE_B || pic->slice_type > VTMA_SLICE_I)
      return fail_argument(p, "slice_type must be VTMA_SLICE_B, _P or _I");
    p->haveMaps = false;
    if (p->client.failed()) {
      p->error = p->client.why();
      return VTMA_FALLEN_BACK;
    }
    vvc::ShmChannel& ch = *p->client.channel();
    const vvc::LumaPlane src{pic->luma, static_cast<ptrdiff_t>(pic->luma_stride), pic->width,
                             pic->height};
    const int n = vvc::fill_ctu_luma(ch, src, pic->width, pic->height, pic->bit_depth);
    const bool hasCue = pic->ref_luma != nullptr;
    if (hasCue) {
      const vvc::LumaPlane ref{pic->ref_luma, static_cast<ptrdiff_t>(pic->ref_stride), pic->width,
                               pic->height};
      vvc::fill_ctu_cue(ch, n, src, ref, pic->width, pic->height, pic->bit_depth);
    }
    const auto r = p->client.request(pic->poc, pic->slice_type, pic->qp, n, hasCue, pic->width,
                                     pic->height, pic->temporal_id);
    if (r != vvc::PredictorClient::Result::kOk) {
      p->error = p->client.why();
      return status_of(r);
    }
    p->error.clear();
    p->haveMaps = true;
    p->numCtus = n;
    p->ctusX = (pic->width + VTMA_CTU_SIZE - 1) / VTMA_CTU_SIZE;
    return VTMA_OK;
  } catch (const std::bad_alloc&) {
    p->error = "out of memory";
    return VTMA_ERR_MEMORY;
  }
}

VTMA_EXPORT const uint8_t* vtma_ctu_maps(const vtma_predictor* p, int ctu) {
  if (!p || !p->haveMaps || ctu < 0 || ctu >= p->numCtus) return nullptr;
  return const_cast<vtma_predictor*>(p)->client.channel()->maps(ctu);
}

VTMA_EXPORT const uint8_t* vtma_maps_at(const vtma_predictor* p, int x, int y) {
  if (!p || !p->haveMaps || x < 0 || y < 0) return nullptr;
  const int cx = x / VTMA_CTU_SIZE, cy = y / VTMA_CTU_SIZE;
  if (cx >= p->ctusX) return nullptr;
  return vtma_ctu_maps(p, cy * p->ctusX + cx);
}

VTMA_EXPORT double vtma_split_score(const uint8_t* maps, int tree, int x, int y, int w, int h,
                                    int split) {
  if (!maps || split < VTMA_SPLIT_NONE || split > VTMA_SPLIT_TT_V || tree < VTMA_TREE_SINGLE ||
      tree > VTMA_TREE_DUAL_CHROMA)
    return 1.0;
  return vvc::nn_split_score(vvc::CtuMaps{maps}, x, y, w, h, static_cast<vvc::TreeType>(tree),
                             static_cast<vvc::SplitMode>(split));
}

VTMA_EXPORT unsigned vtma_splits_to_try(const uint8_t* maps, int tree, int x, int y, int w, int h,
                                        unsigned allowed, int level, int inter, int qp) {
  allowed &= VTMA_ALL_SPLITS;
  if (!maps || tree < VTMA_TREE_SINGLE || tree > VTMA_TREE_DUAL_CHROMA) return allowed;
  return vvc::nn_splits_to_try(vvc::CtuMaps{maps}, x, y, w, h, static_cast<vvc::TreeType>(tree),
                               static_cast<vvc::SplitMask>(allowed), level, inter != 0, qp);
}

VTMA_EXPORT int vtma_fell_back(const vtma_predictor* p) {
  return !p || p->client.failed();
}

VTMA_EXPORT int vtma_pictures_predicted(const vtma_predictor* p) {
  return p ? p->client.pictures_predicted() : 0;
}

VTMA_EXPORT const char* vtma_last_error(const vtma_predictor* p) {
  return p ? p->error.c_str() : g_open_error.c_str();
}

VTMA_EXPORT void vtma_close(vtma_predictor* p) {
  delete p;  // PredictorClient's destructor closes the channel and reaps the service
}

VTMA_EXPORT int vtma_api_version(void) {
  return VTMA_API_VERSION;
}

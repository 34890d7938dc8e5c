/* vtm_accel_predictor.h: the vtm-accel CNN split predictor for any encoder, in C.
 *
 * The predictor service (python -m vtm_accel.predictors.service) runs the partition CNN and
 * answers over POSIX shared memory (docs/predictor-protocol.md). This API is the engine's own
 * client behind an opaque handle: open a predictor (spawn a service for a model, or attach to
 * a shared one), hand it each picture's luma (and the reference's, for the temporal cue of
 * P/B pictures), then read per CTU the boundary probability maps, the score of a split at a
 * coding-tree node, or the set of splits the engine's rule would try there.
 *
 * Fallback: the predictor never stops an encode. The first failure (the service cannot start,
 * times out, dies or answers with an error) switches the handle off for good: that call returns
 * the error, every later vtma_predict_picture returns VTMA_FALLEN_BACK at once, and the encoder
 * searches every split (vtma_splits_to_try returns `allowed` unchanged when given NULL maps).
 * vtma_last_error says why, in the engine's words.
 *
 * A handle is for one thread at a time. Link with -lvtm_accel_predictor; find the installed
 * header and library with `python -m vtm_accel.predictors.capi --cflags --libs`.
 * docs/integrating-an-encoder.md shows where an encoder such as VTM asks its split questions.
 */
#ifndef VTM_ACCEL_PREDICTOR_H
#define VTM_ACCEL_PREDICTOR_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VTMA_API_VERSION 1

#define VTMA_CTU_SIZE 128 /* luma samples per CTU side (the service's CTU) */
#define VTMA_MAP_SIZE 32  /* map entries per CTU side: one per 4x4 luma unit */
#define VTMA_NUM_MAPS 4   /* per CTU: luma vertical, luma horizontal, chroma vertical, horizontal */
#define VTMA_MAX_LEVEL 5  /* rule levels 0 (search everything) .. 5 (fastest) */

typedef enum vtma_status {
  VTMA_OK = 0,
  VTMA_ERR_ARGUMENT = 1,     /* a bad argument: nothing was sent, the handle is unchanged */
  VTMA_ERR_START = 2,        /* no channel or no service (spawn or attach failed) */
  VTMA_ERR_TIMEOUT = 3,      /* the service did not answer in time */
  VTMA_ERR_SERVICE_GONE = 4, /* the service exited while we waited */
  VTMA_ERR_SERVICE = 5,      /* the service answered with an error */
  VTMA_FALLEN_BACK = 6,      /* an earlier failure switched the predictor off */
  VTMA_ERR_MEMORY = 7        /* out of memory */
} vtma_status;

/* Split modes, numbered as the engine's split log and VTM's split-mode order. */
enum {
  VTMA_SPLIT_NONE = 0,
  VTMA_SPLIT_QT = 1,
  VTMA_SPLIT_BT_H = 2, /* horizontal binary: top and bottom halves */
  VTMA_SPLIT_BT_V = 3,
  VTMA_SPLIT_TT_H = 4,
  VTMA_SPLIT_TT_V = 5
};
#define VTMA_SPLIT_BIT(mode) (1u << (mode))
#define VTMA_ALL_SPLITS 0x3fu

/* H.266 treeType: the single tree, or the luma / chroma tree of a dual-tree I slice. */
enum { VTMA_TREE_SINGLE = 0, VTMA_TREE_DUAL_LUMA = 1, VTMA_TREE_DUAL_CHROMA = 2 };

/* H.266 sh_slice_type. */
enum { VTMA_SLICE_B = 0, VTMA_SLICE_P = 1, VTMA_SLICE_I = 2 };

typedef struct vtma_predictor vtma_predictor;

typedef struct vtma_options {
  /* Exactly one: a model file for a service this handle starts as its child process (reaped
   * by vtma_close, so its CPU time is the encoder's), or the name of a shared service that
   * `python -m vtm_accel.predictors.service --model M --serve` printed. */
  const char* model;
  const char* attach;
  const char* python; /* the service's interpreter; NULL: $VTM_ACCEL_PYTHON, else python3 */
  const char* device; /* "cpu" (NULL) or "cuda", for a spawned service */
  int max_width;      /* the largest picture to be sent, in luma samples */
  int max_height;
  int timeout_ms;       /* per picture; 0: 2000 + 50 per CTU */
  int first_timeout_ms; /* the first picture, while the model loads; 0: 30000 */
} vtma_options;

/* One picture, as the encoder holds it: 16-bit luma samples with a row stride (in samples). */
typedef struct vtma_picture {
  const int16_t* luma; /* the source picture */
  int64_t luma_stride;
  /* P/B pictures: a reference picture's reconstructed luma (the engine uses the nearest in POC
   * distance, list 0 first on a tie); the service gets |luma - ref_luma| as temporal cue.
   * NULL: no cue (I pictures). */
  const int16_t* ref_luma;
  int64_t ref_stride;
  int width; /* coded luma size; CTUs in raster order, ceil(w/128) x ceil(h/128) */
  int height;
  int bit_depth;   /* of the samples, 8..16; the service gets 10-bit samples */
  int64_t poc;     /* echoed by the service; the engine sends the POC */
  int slice_type;  /* VTMA_SLICE_* */
  int qp;          /* slice QP */
  int temporal_id; /* 0 for all intra */
} vtma_picture;

/* Zeroes *opt and sets the defaults. */
void vtma_options_init(vtma_options* opt);

/* Creates the channel and spawns (or attaches to) the service; does not wait for the model to
 * load (the first picture does). VTMA_OK: *out is a working handle. VTMA_ERR_START: *out is a
 * handle that has already fallen back (its vtma_last_error says why); the encoder can use it
 * as if the service were there. VTMA_ERR_ARGUMENT / VTMA_ERR_MEMORY: *out is NULL and
 * vtma_last_error(NULL) says why (per thread). */
vtma_status vtma_open(const vtma_options* opt, vtma_predictor** out);

/* Sends the picture's CTUs and waits for the maps. VTMA_OK: vtma_ctu_maps is valid until the
 * next call. Any other status: there are no maps; search every split. */
vtma_status vtma_predict_picture(vtma_predictor* p, const vtma_picture* pic);

/* The maps of CTU `ctu` (raster index) of the last predicted picture: uint8 [4][32][32], row i
 * column j = probability x 255 that the partition has a vertical boundary on the left edge
 * (maps 0, 2) or a horizontal boundary on the top edge (maps 1, 3) of the 4x4 unit at luma
 * (4j, 4i) of the CTU; maps 0/1: luma or single tree, 2/3: dual-tree chroma (in luma units).
 * NULL when there are none (not predicted, fallen back, ctu out of range). */
const uint8_t* vtma_ctu_maps(const vtma_predictor* p, int ctu);

/* The maps of the CTU holding luma sample (x, y); NULL as above. */
const uint8_t* vtma_maps_at(const vtma_predictor* p, int x, int y);

/* The mean probability (0..1) of the boundary lines `split` introduces inside the node at
 * (x, y) (relative to its CTU's origin, luma samples) of size w x h: the engine's split score.
 * 1 for VTMA_SPLIT_NONE. */
double vtma_split_score(const uint8_t* maps, int tree, int x, int y, int w, int h, int split);

/* The engine's decision rule: the subset of `allowed` (VTMA_SPLIT_BIT mask; include
 * VTMA_SPLIT_NONE when not splitting is allowed) to try at the node for rule level `level`
 * (0..5, default 2) in a P/B (`inter` != 0) or I picture of slice QP `qp`. Never empty when
 * `allowed` is not; `allowed` itself for NULL maps or level 0. */
unsigned vtma_splits_to_try(const uint8_t* maps, int tree, int x, int y, int w, int h,
                            unsigned allowed, int level, int inter, int qp);

/* Nonzero once the predictor is off for good (a failure, or a handle that never started). */
int vtma_fell_back(const vtma_predictor* p);
/* Pictures answered by the service so far. */
int vtma_pictures_predicted(const vtma_predictor* p);
/* Why the last call failed or the predictor fell back ("service timed out after 2000 ms
 * (picture 7)"); "" when nothing failed. NULL p: this thread's last vtma_open failure. */
const char* vtma_last_error(const vtma_predictor* p);

/* Tells the service this client is done, reaps a spawned service (up to 5 s; 200 ms after a
 * failure, then SIGTERM and SIGKILL), removes the channel and frees the handle. NULL is fine. */
void vtma_close(vtma_predictor* p);

/* VTMA_API_VERSION of the library. */
int vtma_api_version(void);

#ifdef __cplusplus
}
#endif

#endif /* VTM_ACCEL_PREDICTOR_H */

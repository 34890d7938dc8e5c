/* An encoder's use of the vtm-accel predictor, in C: open a predictor, send every picture of a
 * raw 4:2:0 clip, and ask at each coding-tree node which splits to try, the way a partition
 * search would. Pictures after the first are B pictures whose temporal cue comes from the
 * previous source picture (an encoder gives its reconstructed reference instead).
 *
 *   vtm-accel-predictor-example (--model FILE | --attach NAME) [--python PY] [--device D]
 *       (--input CLIP.yuv --width W --height H [--bit-depth B] | --synthetic WxH)
 *       [--frames N] [--qp Q] [--level L] [--timeout-ms T] [--first-timeout-ms T]
 *       [--maps-out FILE]
 *
 * --maps-out writes the maps of every predicted picture, uint8 [CTUs][4][32][32] each, one
 * picture after the other. Exit status 0 also when the predictor fell back (an encoder goes on
 * searching every split); 2 for bad arguments or input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtm_accel_predictor.h"

typedef struct args {
  vtma_options opt;
  const char* input;
  const char* maps_out;
  int width, height, bit_depth, frames, qp, level, synthetic;
} args;

static int usage(const char* why) {
  fprintf(stderr, "predictor example: %s (see the comment at the top of predictor_example.c)\n",
          why);
  return 2;
}

static int parse(int argc, char** argv, args* a) {
  memset(a, 0, sizeof(*a));
  vtma_options_init(&a->opt);
  a->bit_depth = 8;
  a->frames = 1;
  a->qp = 32;
  a->level = 2;
  for (int i = 1; i < argc; ++i) {
    const char* f = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) return usage("a flag without its value");
    ++i;
    if (!strcmp(f, "--model"))
      a->opt.model = v;
    else if (!strcmp(f, "--attach"))
      a->opt.attach = v;
    else if (!strcmp(f, "--python"))
      a->opt.python = v;
    else if (!strcmp(f, "--device"))
      a->opt.device = v;
    else if (!strcmp(f, "--input"))
      a->input = v;
    else if (!strcmp(f, "--maps-out"))
      a->maps_out = v;
    else if (!strcmp(f, "--width"))
      a->width = atoi(v);
    else if (!strcmp(f, "--height"))
      a->height = atoi(v);
    else if (!strcmp(f, "--bit-depth"))
      a->bit_depth = atoi(v);
    else if (!strcmp(f, "--frames"))
      a->frames = atoi(v);
    else if (!strcmp(f, "--qp"))
      a->qp = atoi(v);
    else if (!strcmp(f, "--level"))
      a->level = atoi(v);
    else if (!strcmp(f, "--timeout-ms"))
      a->opt.timeout_ms = atoi(v);
    else if (!strcmp(f, "--first-timeout-ms"))
      a->opt.first_timeout_ms = atoi(v);
    else if (!strcmp(f, "--synthetic")) {
      a->synthetic = 1;
      if (sscanf(v, "%dx%d", &a->width, &a->height) != 2) return usage("--synthetic WxH");
    } else
      return usage("unknown flag");
  }
  if (!a->input == !a->synthetic) return usage("give --input or --synthetic");
  if (a->width < 1 || a->height < 1 || a->frames < 1) return usage("bad size or frame count");
  if (a->bit_depth < 8 || a->bit_depth > 16) return usage("--bit-depth 8..16");
  a->opt.max_width = a->width;
  a->opt.max_height = a->height;
  return 0;
}

/* Picture k's luma: from the clip (8-bit bytes or 16-bit little-endian), or a moving pattern. */
static int read_luma(const args* a, FILE* in, int k, int16_t* luma) {
  const size_t n = (size_t)a->width * a->height;
  if (a->synthetic) {
    for (int y = 0; y < a->height; ++y)
      for (int x = 0; x < a->width; ++x) {
        const int block = (((x + 3 * k) / 24) ^ (y / 40)) & 1;
        luma[(size_t)y * a->width + x] =
            (int16_t)((block ? 180 : 60) + ((x >> 3) + (y >> 3) + k) % 4);
      }
    return 1;
  }
  const size_t bytes = a->bit_depth > 8 ? 2 : 1;
  const size_t chroma = 2 * (size_t)((a->width + 1) / 2) * ((a->height + 1) / 2);
  unsigned char* buf = malloc(n * bytes);
  int ok = buf && fread(buf, bytes, n, in) == n && fseek(in, (long)(chroma * bytes), SEEK_CUR) == 0;
  for (size_t i = 0; ok && i < n; ++i)
    luma[i] = (int16_t)(bytes == 2 ? buf[2 * i] | buf[2 * i + 1] << 8 : buf[i]);
  free(buf);
  return ok;
}

/* What a partition search does at every node: ask which splits to try. Here: every square
 * quadtree node inside the picture, all six modes allowed; counts the (node, split) pairs the
 * rule keeps. An encoder passes its normatively allowed set instead. */
static void walk(const uint8_t* maps, int cx, int cy, int x, int y, int size, const args* a,
                 int inter, long* kept, long* asked) {
  if (cx + x + size > a->width || cy + y + size > a->height) return;
  unsigned allowed = VTMA_ALL_SPLITS;
  if (size == VTMA_CTU_SIZE)
    allowed &= ~(VTMA_SPLIT_BIT(VTMA_SPLIT_TT_H) | VTMA_SPLIT_BIT(VTMA_SPLIT_TT_V));
  const unsigned tried =
      vtma_splits_to_try(maps, VTMA_TREE_SINGLE, x, y, size, size, allowed, a->level, inter, a->qp);
  for (int m = VTMA_SPLIT_NONE; m <= VTMA_SPLIT_TT_V; ++m) {
    *asked += (allowed >> m) & 1;
    *kept += (tried >> m) & 1;
  }
  if (size > 8 && (tried & VTMA_SPLIT_BIT(VTMA_SPLIT_QT)))
    for (int q = 0; q < 4; ++q)
      walk(maps, cx, cy, x + (q & 1) * size / 2, y + (q >> 1) * size / 2, size / 2, a, inter, kept,
           asked);
}

int main(int argc, char** argv) {
  args a;
  if (parse(argc, argv, &a)) return 2;
  FILE* in = NULL;
  if (a.input && !(in = fopen(a.input, "rb"))) return usage("cannot open --input");
  FILE* mapsOut = NULL;
  if (a.maps_out && !(mapsOut = fopen(a.maps_out, "wb"))) return usage("cannot open --maps-out");
  const size_t n = (size_t)a.width * a.height;
  int16_t* cur = malloc(n * sizeof(int16_t));
  int16_t* prev = malloc(n * sizeof(int16_t));
  if (!cur || !prev) return usage("out of memory");

  vtma_predictor* p = NULL;
  vtma_status st = vtma_open(&a.opt, &p);
  if (!p) {
    fprintf(stderr, "predictor example: %s\n", vtma_last_error(NULL));
    return 2;
  }
  if (st != VTMA_OK) printf("predictor did not start: %s\n", vtma_last_error(p));

  const int ctusX = (a.width + VTMA_CTU_SIZE - 1) / VTMA_CTU_SIZE;
  const int ctus = ctusX * ((a.height + VTMA_CTU_SIZE - 1) / VTMA_CTU_SIZE);
  int frames = 0;
  for (int k = 0; k < a.frames; ++k, ++frames) {
    if (!read_luma(&a, in, k, cur)) break;
    vtma_picture pic = {0};
    pic.luma = cur;
    pic.luma_stride = a.width;
    pic.ref_luma = k > 0 ? prev : NULL;
    pic.ref_stride = a.width;
    pic.width = a.width;
    pic.height = a.height;
    pic.bit_depth = a.bit_depth;
    pic.poc = k;
    pic.slice_type = k == 0 ? VTMA_SLICE_I : VTMA_SLICE_B;
    pic.qp = a.qp;
    pic.temporal_id = k == 0 ? 0 : 1;
    st = vtma_predict_picture(p, &pic);
    if (st == VTMA_ERR_ARGUMENT) { /* a bug in the caller, not a service problem */
      fprintf(stderr, "predictor example: %s\n", vtma_last_error(p));
      break;
    }
    if (st != VTMA_OK) {
      /* no maps: this picture (and, after a failure, every later one) searches every split */
      printf("picture %d: no maps (status %d: %s); every split is searched\n", k, (int)st,
             vtma_last_error(p));
    } else {
      long kept = 0, asked = 0;
      for (int c = 0; c < ctus; ++c) {
        const uint8_t* maps = vtma_ctu_maps(p, c);
        if (mapsOut) fwrite(maps, 1, VTMA_NUM_MAPS * VTMA_MAP_SIZE * VTMA_MAP_SIZE, mapsOut);
        const int cx = (c % ctusX) * VTMA_CTU_SIZE, cy = (c / ctusX) * VTMA_CTU_SIZE;
        walk(maps, cx, cy, 0, 0, VTMA_CTU_SIZE, &a, k > 0, &kept, &asked);
      }
      printf("picture %d (%s): %d CTUs; rule level %d keeps %ld of %ld (node, split) pairs\n", k,
             k == 0 ? "I" : "B", ctus, a.level, kept, asked);
    }
    int16_t* t = prev;
    prev = cur;
    cur = t;
  }
  printf("predictor: %d of %d pictures predicted%s%s%s\n", vtma_pictures_predicted(p), frames,
         vtma_fell_back(p) ? " (fell back: " : "", vtma_fell_back(p) ? vtma_last_error(p) : "",
         vtma_fell_back(p) ? ")" : "");
  vtma_close(p);
  free(cur);
  free(prev);
  if (in) fclose(in);
  if (mapsOut && fclose(mapsOut) != 0) return usage("cannot write --maps-out");
  return frames == a.frames ? 0 : usage("the input ended early");
}

// Per-picture outputs of the encoder app: reconstruction file (cropped, 10-bit LE 4:2:0) and
// the JSON-lines log.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

#include "common/picture.h"
#include "encoder/frame_stats.h"

namespace vvc {

// Formats one log line (no trailing newline):
// {"poc":0,"slice_type":"I","qp":22,"bits":12345,"psnr_y":..,"psnr_u":..,"psnr_v":..,"time_s":..}
// plus ,"nodes":N before the closing brace when s.nodes >= 0, ,"tid":T,"nal":"CRA" when
// set (coding structures other than all-intra), and
// ,"cu":{"skip":..,"merge":..,"amvp":..,"intra":..,"bi":..,"residual":..,"amvr":..,"count":N}
// when s.cu is set: the share of the picture's area coded by skip, merge-with-residual, AMVP
// and intra CUs, by bi-predicted CUs, by CUs with a residual and by AMVP CUs with an integer
// or four-sample MVD, and the number of CUs.
std::string json_line(const FrameStats& s);

// An output file opened for binary writing. One that is destroyed without a successful
// close() (the encode stopped: an error, another output that cannot be opened) is removed when
// it is a regular file, so a failed run leaves no empty or partial output to be taken for a
// result.
class OutFile {
 public:
  OutFile() = default;
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;
  ~OutFile();
  // Returns "" or an error message.
  std::string open(const std::string& path);
  bool is_open() const { return f_ != nullptr; }
  bool write(const void* data, size_t n);
  bool close();

 private:
  FILE* f_ = nullptr;
  std::string path_;
  bool regular_ = false;  // a regular file (never unlink a device such as /dev/null)
};

// Writes the top-left srcW x srcH area of pic as 10-bit little-endian 4:2:0 planes.
bool write_recon_frame(OutFile& out, const Picture& pic, int srcW, int srcH);

}  // namespace vvc

// Source video reading: raw planar 4:2:0 .yuv (8-bit, or 10-bit in 16-bit little-endian
// words) and Y4M (W/H/F/C from the stream header; a file is Y4M when it starts with
// YUV4MPEG2, whatever its name). Frames come out at the internal 10-bit
// depth (8-bit samples << 2), padded to the coded size by edge replication.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "common/picture.h"

namespace vvc {

// The largest picture the reader accepts: VVC level 6.2 (MaxLumaPs 35651584, at most
// sqrt(8 * MaxLumaPs) = 16888 samples a side), the same bound as --width/--height.
constexpr int kMaxSide = 16888;
constexpr int64_t kMaxLumaSamples = 35651584;

struct VideoInfo {
  int width = 0;
  int height = 0;
  int bit_depth = 8;  // file sample depth: 8 or 10
  int fps_num = 0;    // 0 when the file does not say (raw .yuv)
  int fps_den = 1;
  bool y4m = false;
  int64_t num_frames = 0;  // whole frames in the file
};

// What the caller knows from the command line (0 = not given).
struct InputRequest {
  std::string path;
  int width = 0;
  int height = 0;
  int bit_depth = 0;
};

class VideoReader {
 public:
  VideoReader() = default;
  VideoReader(const VideoReader&) = delete;
  VideoReader& operator=(const VideoReader&) = delete;
  ~VideoReader();

  // Opens and checks the file. Returns "" on success, otherwise a one-line message for the
  // user (size mismatch, bad Y4M header, unsupported colourspace, ...).
  std::string open(const InputRequest& req);
  const VideoInfo& info() const { return info_; }

  // Reads frame `index` (0-based, in file order) into `pic`, which must have the coded size
  // (>= the source size); the area outside the source is filled by edge replication.
  // Returns "" on success or a message (truncated file, read error).
  std::string read_frame(int64_t index, Picture& pic);

 private:
  std::string scan_y4m_frames();
  FILE* f_ = nullptr;
  VideoInfo info_;
  size_t frame_bytes_ = 0;            // sample bytes of one frame
  std::vector<int64_t> y4m_offsets_;  // file offset of each frame's samples
  std::vector<uint8_t> buf_;
};

// Replicates the right column / bottom row of the srcW x srcH area of each plane into the
// rest of the picture (4:2:0: chroma area srcW/2 x srcH/2).
void pad_picture(Picture& pic, int srcW, int srcH);

}  // namespace vvc

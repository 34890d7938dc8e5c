#include "app/video_input.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace vvc {

namespace {

int64_t file_size(FILE* f) {
  if (std::fseek(f, 0, SEEK_END) != 0) return -1;
  const long long n = ftello(f);
  std::fseek(f, 0, SEEK_SET);
  return n;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    char a = s[s.size() - suffix.size() + i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != suffix[i]) return false;
  }
  return true;
}

// A Y4M header number: digits only, at least 1, at most `max` (false otherwise).
bool header_number(const std::string& v, int64_t max, int64_t& out) {
  if (v.empty() || v.size() > 10) return false;
  int64_t n = 0;
  for (const char c : v) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  if (n < 1 || n > max) return false;
  out = n;
  return true;
}

// Reads one '\n'-terminated line (max 4096 bytes). Returns false at EOF or when too long.
bool read_line(FILE* f, std::string& line) {
  line.clear();
  for (int c; (c = std::fgetc(f)) != EOF;) {
    if (c == '\n') return true;
    line.push_back(static_cast<char>(c));
    if (line.size() > 4096) return false;
  }
  return false;
}

}  // namespace

VideoReader::~VideoReader() {
  if (f_) std::fclose(f_);
}

std::string VideoReader::open(const InputRequest& req) {
  struct stat st = {};
  if (::stat(req.path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return "input '" + req.path + "' is a directory; give a .yuv or .y4m file";
  f_ = std::fopen(req.path.c_str(), "rb");
  if (!f_) return "cannot open input file '" + req.path + "': " + std::strerror(errno);
  if (::fstat(::fileno(f_), &st) != 0 || !S_ISREG(st.st_mode))
    return "input '" + req.path + "' is not a regular file; give a .yuv or .y4m file";
  const int64_t size = file_size(f_);
  if (size < 0) return "cannot determine the size of input file '" + req.path + "'";
  // Y4M is what starts with its magic, whatever the name (as the harness decides); a file
  // named .y4m without it is an error rather than raw samples.
  char magic[9] = {};
  info_.y4m = std::fread(magic, 1, sizeof magic, f_) == sizeof magic &&
              std::memcmp(magic, "YUV4MPEG2", sizeof magic) == 0;
  std::fseek(f_, 0, SEEK_SET);
  if (!info_.y4m && ends_with(req.path, ".y4m"))
    return "'" + req.path + "' is not a Y4M file (the first line must start with YUV4MPEG2)";

  if (info_.y4m) {
    std::string header;
    if (!read_line(f_, header)) return "'" + req.path + "' has no complete Y4M header line";
    std::istringstream ss(header.substr(9));
    std::string colour = "420jpeg";  // the Y4M default
    for (std::string tok; ss >> tok;) {
      const char tag = tok[0];
      const std::string val = tok.substr(1);
      int64_t n = 0, d = 0;
      if (tag == 'W' || tag == 'H') {
        if (!header_number(val, kMaxSide, n))
          return "Y4M header of '" + req.path + "': " + tok + " is not a width/height of 1.." +
                 std::to_string(kMaxSide);
        (tag == 'W' ? info_.width : info_.height) = static_cast<int>(n);
      } else if (tag == 'F') {
        const size_t colon = val.find(':');
        if (colon == std::string::npos || !header_number(val.substr(0, colon), 1000000000, n) ||
            !header_number(val.substr(colon + 1), 1000000000, d))
          return "Y4M header of '" + req.path + "': " + tok +
                 " is not a frame rate N:D with N, D > 0 (e.g. F50:1)";
        info_.fps_num = static_cast<int>(n);
        info_.fps_den = static_cast<int>(d);
      } else if (tag == 'C') {
        colour = val;
      } else if (tag == 'I' && val != "p" && val != "?") {
        // Interlaced content is coded as frames all the same; nothing to do.
      }
    }
    if (info_.width <= 0 || info_.height <= 0)
      return "Y4M header of '" + req.path + "' lacks a valid W or H";

    if (colour == "420jpeg" || colour == "420paldv" || colour == "420mpeg2" || colour == "420") {
      info_.bit_depth = 8;
    } else if (colour == "420p10") {
      info_.bit_depth = 10;
    } else {
      return "unsupported Y4M colourspace C" + colour +
             " (supported: C420jpeg, C420paldv, C420mpeg2, C420, C420p10); convert the input "
             "to 4:2:0 8- or 10-bit first";
    }
    if (req.width && req.width != info_.width)
      return "--width " + std::to_string(req.width) + " does not match the Y4M header (W" +
             std::to_string(info_.width) + "); omit --width/--height for .y4m input";
    if (req.height && req.height != info_.height)
      return "--height " + std::to_string(req.height) + " does not match the Y4M header (H" +
             std::to_string(info_.height) + "); omit --width/--height for .y4m input";
  } else {
    if (req.width <= 0 || req.height <= 0)
      return "raw .yuv input needs --width and --height (or use a .y4m file)";
    info_.width = req.width;
    info_.height = req.height;
    info_.bit_depth = req.bit_depth ? req.bit_depth : 8;
    if (info_.bit_depth != 8 && info_.bit_depth != 10) return "--input-bit-depth must be 8 or 10";
  }
  if (static_cast<int64_t>(info_.width) * info_.height > kMaxLumaSamples)
    return std::to_string(info_.width) + "x" + std::to_string(info_.height) +
           " is larger than VVC level 6.2 allows (" + std::to_string(kMaxLumaSamples) +
           " luma samples)";
  if (info_.width % 2 || info_.height % 2)
    return "4:2:0 input needs an even width and height (got " + std::to_string(info_.width) + "x" +
           std::to_string(info_.height) + ")";

  const size_t bps = info_.bit_depth > 8 ? 2 : 1;
  frame_bytes_ = static_cast<size_t>(info_.width) * info_.height * 3 / 2 * bps;
  if (info_.y4m) return scan_y4m_frames();

  if (size % static_cast<int64_t>(frame_bytes_) != 0) {
    std::ostringstream msg;
    msg << "size mismatch: '" << req.path << "' has " << size << " bytes, not a whole number of "
        << info_.width << "x" << info_.height << " 4:2:0 " << info_.bit_depth << "-bit frames of "
        << frame_bytes_ << " bytes each; check --width/--height/--input-bit-depth";
    return msg.str();
  }
  info_.num_frames = size / static_cast<int64_t>(frame_bytes_);
  return "";
}

std::string VideoReader::scan_y4m_frames() {
  // Each frame: "FRAME[ params]\n" then the samples. Record where every frame's samples start.
  const int64_t total = file_size(f_);
  std::string line;
  read_line(f_, line);  // stream header again (file_size rewound)
  int64_t pos = ftello(f_);
  while (pos < total) {
    if (!read_line(f_, line)) {
      return "truncated Y4M file: incomplete FRAME header after frame " +
             std::to_string(y4m_offsets_.size());
    }
    if (line.rfind("FRAME", 0) != 0)
      return "bad Y4M file: expected FRAME at byte " + std::to_string(pos);
    const int64_t data = ftello(f_);
    if (data + static_cast<int64_t>(frame_bytes_) > total) {
      std::ostringstream msg;
      msg << "truncated Y4M file: frame " << y4m_offsets_.size() << " has " << (total - data)
          << " of " << frame_bytes_ << " bytes";
      return msg.str();
    }
    y4m_offsets_.push_back(data);
    pos = data + static_cast<int64_t>(frame_bytes_);
    if (fseeko(f_, pos, SEEK_SET) != 0) return "seek failed in Y4M file";
  }
  info_.num_frames = static_cast<int64_t>(y4m_offsets_.size());
  return "";
}

std::string VideoReader::read_frame(int64_t index, Picture& pic) {
  if (index < 0 || index >= info_.num_frames)
    return "truncated input: frame " + std::to_string(index) + " requested but the file has " +
           std::to_string(info_.num_frames) + " frames";
  const int64_t off = info_.y4m ? y4m_offsets_[static_cast<size_t>(index)]
                                : index * static_cast<int64_t>(frame_bytes_);
  if (fseeko(f_, off, SEEK_SET) != 0) return "seek failed in input file";
  buf_.resize(frame_bytes_);
  if (std::fread(buf_.data(), 1, frame_bytes_, f_) != frame_bytes_)
    return "read error in input file at frame " + std::to_string(index);

  const bool wide = info_.bit_depth > 8;
  const int shift = kBitDepth - info_.bit_depth;  // 8-bit -> 10-bit: << 2
  const uint8_t* p = buf_.data();
  for (int c = 0; c < 3; ++c) {
    const int w = c ? info_.width / 2 : info_.width;
    const int h = c ? info_.height / 2 : info_.height;
    Plane& pl = pic.comp[c];
    for (int y = 0; y < h; ++y) {
      Pel* row = pl.row(y);
      if (wide) {
        for (int x = 0; x < w; ++x, p += 2) {
          const int v = p[0] | (p[1] << 8);
          row[x] = static_cast<Pel>(v > kMaxVal ? kMaxVal : v);
        }
      } else {
        for (int x = 0; x < w; ++x, ++p) row[x] = static_cast<Pel>(*p << shift);
      }
    }
  }
  pad_picture(pic, info_.width, info_.height);
  return "";
}

void pad_picture(Picture& pic, int srcW, int srcH) {
  for (int c = 0; c < 3; ++c) {
    Plane& pl = pic.comp[c];
    const int w = c ? srcW / 2 : srcW;
    const int h = c ? srcH / 2 : srcH;
    for (int y = 0; y < h; ++y) {
      Pel* row = pl.row(y);
      for (int x = w; x < pl.width; ++x) row[x] = row[w - 1];
    }
    for (int y = h; y < pl.height; ++y)
      std::memcpy(pl.row(y), pl.row(h - 1), sizeof(Pel) * static_cast<size_t>(pl.width));
  }
}

}  // namespace vvc

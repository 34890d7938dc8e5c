#include "app/frame_log.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <vector>

namespace vvc {

std::string json_line(const FrameStats& s) {
  char buf[320];
  std::snprintf(buf, sizeof buf,
                "{\"poc\":%d,\"slice_type\":\"%c\",\"qp\":%d,\"bits\":%llu,\"psnr_y\":%.4f,"
                "\"psnr_u\":%.4f,\"psnr_v\":%.4f,\"time_s\":%.6f}",
                s.poc, s.slice_type, s.qp, static_cast<unsigned long long>(s.bits), s.psnr[0],
                s.psnr[1], s.psnr[2], s.time_s);
  std::string line = buf;
  if (s.nodes >= 0) line.insert(line.size() - 1, ",\"nodes\":" + std::to_string(s.nodes));
  if (s.temporal_id >= 0) line.insert(line.size() - 1, ",\"tid\":" + std::to_string(s.temporal_id));
  if (s.nal) line.insert(line.size() - 1, std::string(",\"nal\":\"") + s.nal + "\"");
  if (s.cu && s.area > 0) {
    const double a = static_cast<double>(s.area);
    const CuStats& c = *s.cu;
    char cu[256];
    std::snprintf(cu, sizeof cu,
                  ",\"cu\":{\"skip\":%.4f,\"merge\":%.4f,\"amvp\":%.4f,\"intra\":%.4f,"
                  "\"bi\":%.4f,\"residual\":%.4f,\"amvr\":%.4f,\"count\":%llu}",
                  c.skip / a, c.merge / a, c.amvp / a, c.intra / a, c.bi / a, c.residual / a,
                  c.amvr / a, static_cast<unsigned long long>(c.cus));
    line.insert(line.size() - 1, cu);
  }
  return line;
}

OutFile::~OutFile() {
  if (!f_) return;
  std::fclose(f_);
  f_ = nullptr;
  if (regular_) std::remove(path_.c_str());
}

std::string OutFile::open(const std::string& path) {
  f_ = std::fopen(path.c_str(), "wb");
  if (!f_) return "cannot write '" + path + "': " + std::strerror(errno);
  struct stat st = {};
  path_ = path;
  regular_ = ::fstat(::fileno(f_), &st) == 0 && S_ISREG(st.st_mode);
  return "";
}

bool OutFile::write(const void* data, size_t n) {
  return f_ && std::fwrite(data, 1, n, f_) == n;
}

bool OutFile::close() {
  if (!f_) return true;
  const bool ok = std::fclose(f_) == 0;
  f_ = nullptr;
  return ok;
}

bool write_recon_frame(OutFile& out, const Picture& pic, int srcW, int srcH) {
  std::vector<uint8_t> line(static_cast<size_t>(srcW) * 2);
  for (int c = 0; c < 3; ++c) {
    const int w = c ? srcW / 2 : srcW;
    const int h = c ? srcH / 2 : srcH;
    for (int y = 0; y < h; ++y) {
      const Pel* r = pic.comp[c].row(y);
      for (int x = 0; x < w; ++x) {
        line[2 * x] = static_cast<uint8_t>(r[x] & 0xff);
        line[2 * x + 1] = static_cast<uint8_t>((r[x] >> 8) & 0xff);
      }
      if (!out.write(line.data(), static_cast<size_t>(w) * 2)) return false;
    }
  }
  return true;
}

}  // namespace vvc

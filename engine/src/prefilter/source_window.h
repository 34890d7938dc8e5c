// A bounded window of source frames keyed by POC: every frame is read from the input once,
// kept while a picture still to be coded (or the temporal filter of one) needs it, and
// dropped after. The app walks the coding order, which jumps back and forth inside a GOP.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/picture.h"

namespace vvc {

class SourceWindow {
 public:
  // Reads the source of poc into pic (coded size); returns "" or an error message.
  using Reader = std::function<std::string(int poc, Picture& pic)>;

  SourceWindow(int width, int height, Reader read)
      : width_(width), height_(height), read_(std::move(read)) {}

  // The source of poc, read on first use; nullptr with err set when reading failed.
  const Picture* get(int poc, std::string& err);
  // Drops every frame with a POC below poc.
  void release_before(int poc);

  size_t size() const { return frames_.size(); }
  int reads() const { return reads_; }
  size_t peak_size() const { return peak_; }

 private:
  int width_, height_;
  Reader read_;
  std::map<int, std::unique_ptr<Picture>> frames_;  // stable addresses while kept
  int reads_ = 0;
  size_t peak_ = 0;
};

}  // namespace vvc

#include "prefilter/source_window.h"

#include <algorithm>

namespace vvc {

const Picture* SourceWindow::get(int poc, std::string& err) {
  auto it = frames_.find(poc);
  if (it != frames_.end()) return it->second.get();
  auto pic = std::make_unique<Picture>(width_, height_);
  err = read_(poc, *pic);
  if (!err.empty()) return nullptr;
  ++reads_;
  const Picture* p = pic.get();
  frames_.emplace(poc, std::move(pic));
  peak_ = std::max(peak_, frames_.size());
  return p;
}

void SourceWindow::release_before(int poc) {
  frames_.erase(frames_.begin(), frames_.lower_bound(poc));
}

}  // namespace vvc

#include "partition/split_oracle.h"

namespace vvc {

const char* slice_type_name(SliceType t) {
  switch (t) {
    case SliceType::B:
      return "B";
    case SliceType::P:
      return "P";
    case SliceType::I:
      return "I";
  }
  return "?";
}

const char* tree_name(TreeType t) {
  switch (t) {
    case TreeType::kSingle:
      return "single";
    case TreeType::kDualLuma:
      return "luma";
    case TreeType::kDualChroma:
      return "chroma";
  }
  return "?";
}

LoggingOracle::LoggingOracle(const std::string& path) {
  file_ = std::fopen(path.c_str(), "w");
}

LoggingOracle::~LoggingOracle() {
  if (file_) std::fclose(file_);
}

std::string LoggingOracle::to_json(const CtuTreeRecord& rec) {
  std::string s;
  s.reserve(96 + rec.splits.size() * 2);
  s += "{\"poc\":" + std::to_string(rec.poc) + ",\"x\":" + std::to_string(rec.x) +
       ",\"y\":" + std::to_string(rec.y) + ",\"qp\":" + std::to_string(rec.qp) +
       ",\"slice_type\":\"" + slice_type_name(rec.slice_type) + "\",\"tree\":\"" +
       tree_name(rec.tree) + "\",";
  if (rec.tree == TreeType::kSingle)
    s += "\"tid\":" + std::to_string(rec.temporal_id) +
         ",\"ref_poc\":" + std::to_string(rec.ref_poc) + ",";
  s += "\"splits\":[";
  for (size_t i = 0; i < rec.splits.size(); ++i) {
    if (i) s += ',';
    s += static_cast<char>('0' + rec.splits[i]);
  }
  s += "]}";
  return s;
}

void LoggingOracle::record_tree(const CtuTreeRecord& rec) {
  if (!file_) return;
  const std::string line = to_json(rec);
  std::fputs(line.c_str(), file_);
  std::fputc('\n', file_);
  ++written_;
}

void LoggingOracle::end_picture() {
  if (file_) std::fflush(file_);
}

}  // namespace vvc

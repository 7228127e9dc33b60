#include "common/prom_text.h"

#include <charconv>
#include <cmath>

namespace berth {

std::string PromText::FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Shortest form that reads back exactly; integers come out without ".0".
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

namespace {

// Backslash and newline always; the double quote only inside label values.
std::string Escape(std::string_view v, bool quote) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '"' && quote) out += "\\\"";
    else out += c;
  }
  return out;
}

}  // namespace

std::string PromText::EscapeLabelValue(std::string_view v) { return Escape(v, true); }

std::string PromText::EscapeHelp(std::string_view v) { return Escape(v, false); }

void PromText::Family(std::string_view name, std::string_view help, std::string_view type) {
  out_.append("# HELP ").append(name).append(" ").append(EscapeHelp(help)).append("\n");
  out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void PromText::Labels(const PromLabels& labels, std::string_view le) {
  if (labels.empty() && le.empty()) return;
  out_ += '{';
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out_ += ',';
    first = false;
    out_.append(k).append("=\"").append(EscapeLabelValue(v)).append("\"");
  }
  if (!le.empty()) {
    if (!first) out_ += ',';
    out_.append("le=\"").append(le).append("\"");
  }
  out_ += '}';
}

void PromText::Sample(std::string_view name, const PromLabels& labels, double value) {
  out_.append(name);
  Labels(labels, {});
  out_.append(" ").append(FormatValue(value)).append("\n");
}

void PromText::Histogram(std::string_view name, const PromLabels& labels,
                         const HistogramSnapshot& h) {
  const std::string bucket = std::string(name) + "_bucket";
  for (size_t i = 0; i < h.bounds.size(); ++i) {
    out_.append(bucket);
    Labels(labels, FormatValue(h.bounds[i]));
    out_.append(" ").append(std::to_string(h.cumulative[i])).append("\n");
  }
  out_.append(bucket);
  Labels(labels, "+Inf");
  out_.append(" ").append(std::to_string(h.count)).append("\n");
  Sample(std::string(name) + "_sum", labels, h.sum);
  Sample(std::string(name) + "_count", labels, static_cast<double>(h.count));
}

}  // namespace berth

// Table: the plain-text tables of the CLI's default output, in the style of
// `docker ps`: an upper-case header row, columns separated by two spaces,
// widths from the widest cell (counted in UTF-8 code points). Not thread-safe.
#pragma once

#include <string>
#include <vector>

namespace berth::cli {

class Table {
 public:
  enum class Align { kLeft, kRight };

  explicit Table(std::vector<std::string> headers);

  // Right-aligns column `col` (sizes, counts).
  Table& AlignRight(size_t col);
  // REQUIRES: cells.size() == number of headers.
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }

  // The table, each line ending in '\n'; the last column is not padded.
  std::string Render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;
};

// Display width of a UTF-8 string: the number of code points.
size_t DisplayWidth(const std::string& s);

}  // namespace berth::cli

#include "http/file_response.h"

#include "http/byte_range.h"
#include "http/url.h"

namespace berth::http {

std::string ContentDisposition(std::string_view filename) {
  std::string ascii;
  for (unsigned char c : filename) {
    ascii.push_back(c < 0x20 || c >= 0x7f || c == '"' || c == '\\' ? '_' : static_cast<char>(c));
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + PercentEncode(filename);
}

std::string QuotedEtag(std::string_view etag) {
  return etag.starts_with('"') ? std::string(etag) : "\"" + std::string(etag) + "\"";
}

Response FileResponse(const Request& req, FileToSend file) {
  Response r;
  const std::string etag = QuotedEtag(file.etag);
  r.SetHeader("ETag", etag);
  r.SetHeader("Accept-Ranges", "bytes");
  r.SetHeader("Content-Type", "application/octet-stream");
  r.SetHeader("X-Content-Type-Options", "nosniff");
  r.SetHeader("Content-Disposition", ContentDisposition(file.name));
  if (req.Header("if-none-match") == etag) {
    r.status = 304;
    return r;
  }
  ByteRange range{ByteRange::kWhole, 0, file.size};
  std::string_view if_range = req.Header("if-range");
  if (if_range.empty() || if_range == etag) range = ParseByteRange(req.Header("range"), file.size);
  if (range.kind == ByteRange::kUnsatisfiable) {
    Response bad = Response::Error(Status(Code::kInvalidArgument, "the requested range is not satisfiable",
                                          "range_not_satisfiable"));
    bad.status = 416;
    bad.SetHeader("Content-Range", "bytes */" + std::to_string(file.size));
    return bad;
  }
  if (range.kind == ByteRange::kPartial) {
    r.status = 206;
    r.SetHeader("Content-Range", "bytes " + std::to_string(range.offset) + "-" +
                                     std::to_string(range.offset + range.length - 1) + "/" +
                                     std::to_string(file.size));
  }
  r.file = FileBody{std::move(file.fd), range.offset, range.length};
  return r;
}

}  // namespace berth::http

// Responses that send one regular file to a client: the download headers
// (Content-Disposition for any file name), conditional GET by strong ETag
// (If-None-Match → 304), a single byte range (Range, guarded by If-Range →
// 206 or 416; parsing in byte_range.h) and a sendfile(2) body.
//
// If-Modified-Since is not evaluated: these responses carry no
// Last-Modified, so the ETag is the only validator (RFC 9110 §13.1.3 lets a
// server ignore it when If-None-Match is present, and clients that saw no
// Last-Modified do not send it). Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/unique_fd.h"
#include "http/request.h"

namespace berth::http {

// `attachment; filename="<ascii>"; filename*=UTF-8''<percent-encoded>`:
// the ASCII form replaces control characters, non-ASCII bytes, quotes and
// backslashes by '_' so that no name can break out of the header value.
std::string ContentDisposition(std::string_view filename);

// `etag` as sent in the ETag header: quoted (a bare value gets quotes).
std::string QuotedEtag(std::string_view etag);

struct FileToSend {
  UniqueFd fd;          // open for reading, positioned anywhere
  uint64_t size = 0;
  std::string etag;     // strong validator, quoted or not
  std::string name;     // the download's file name
};

// The answer to a GET of `file` for `req`: 200 with the whole file, 206 with
// the requested range, 304 when If-None-Match names the current ETag, or 416
// (with `Content-Range: bytes */size`) for a range past the end. A Range is
// honoured only when If-Range is absent or equals the current ETag.
Response FileResponse(const Request& req, FileToSend file);

}  // namespace berth::http

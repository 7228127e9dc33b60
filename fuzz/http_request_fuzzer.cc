// Fuzzes the bytes of one HTTP request as berthd reads them before any
// handler runs (src/http/server.cc, Server::Impl::Serve): Beast's
// request_parser<empty_body> with berthd's header limit, reading from a
// stream, then the target split into path segments, the decoded path and the
// query, and the Range header. Anything but a clean parse or a clean error
// (a crash, a sanitizer report, a decoded path that disagrees with its
// segments) is a finding.
#include <utility>  // before Asio (Boost 1.74)

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "http/byte_range.h"
#include "http/server.h"
#include "http/url.h"

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  boost::asio::io_context ioc;
  beast::test::stream stream(ioc, beast::string_view(reinterpret_cast<const char*>(data), size));
  stream.close_remote();  // end of input is the peer closing
  beast::flat_buffer buffer;
  bhttp::request_parser<bhttp::empty_body> parser;
  parser.header_limit(berth::http::ServerOptions{}.max_header_bytes);
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  beast::error_code ec;
  bhttp::read_header(stream, buffer, parser, ec);
  if (ec) return 0;

  const auto& h = parser.get();
  std::string target(h.target());
  for (const auto& f : h) {
    (void)f.name_string();
    (void)f.value();
  }
  (void)h.keep_alive();
  (void)parser.content_length();
  (void)h.chunked();

  std::string_view t = target;
  size_t qpos = t.find('?');
  std::string_view raw_path = t.substr(0, qpos);
  auto segments = berth::http::SplitPathSegments(raw_path);
  auto decoded = berth::http::PercentDecode(raw_path, false);
  if (qpos != std::string_view::npos) (void)berth::http::ParseQuery(t.substr(qpos + 1));
  // Both decode the same escapes: one refusing what the other accepts would
  // let a path reach the router in a form the checks did not see.
  if (segments.has_value() != decoded.has_value()) std::abort();

  auto range = h[bhttp::field::range];
  if (!range.empty()) {
    (void)berth::http::ParseByteRange(std::string_view(range.data(), range.size()), 1 << 20);
  }
  return 0;
}

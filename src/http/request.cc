#include "http/request.h"

#include "api/error_mapping.h"

namespace berth::http {

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

const std::string* Request::Query(std::string_view key) const {
  auto it = query.find(std::string(key));
  return it == query.end() ? nullptr : &it->second;
}

void Response::SetHeader(std::string name, std::string value) {
  for (auto& [k, v] : headers) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

Response Response::Json(int status, std::string body) {
  return Text(status, std::move(body), "application/json");
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.headers.emplace_back("Content-Type", std::move(content_type));
  return r;
}

Response Response::Empty(int status) {
  Response r;
  r.status = status;
  return r;
}

Response Response::Error(const Status& s) {
  return Json(api::HttpStatusFor(s.code()), api::ErrorBody(s));
}

}  // namespace berth::http

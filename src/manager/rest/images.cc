// /images: list, build from a recipe, import a tarball (SPEC §3, §5).
// Building and importing are for those the Authorizer lets manage images.
#include <unistd.h>

#include "api/json.h"
#include "common/unique_fd.h"
#include "images/image_store.h"
#include "manager/authorizer.h"
#include "manager/rest/api_routes.h"
#include "manager/rest/handler_util.h"

namespace berth::manager {

using http::Request;
using nlohmann::json;

namespace {

api::Image ToApi(const images::ImageInfo& i) {
  return api::Image{i.name, i.created_at, i.size_bytes, i.source, i.digest, i.description};
}

// Receives an image tarball into a temp file, then imports it.
class ImageImportSink : public ResultSink {
 public:
  ImageImportSink(images::ImageStore& images, std::string name, std::string path, UniqueFd fd)
      : images_(images), name_(std::move(name)), path_(std::move(path)), fd_(std::move(fd)) {}
  ~ImageImportSink() override { ::unlink(path_.c_str()); }
  Status Write(const char* data, size_t n) override {
    while (n > 0) {
      ssize_t w = ::write(fd_.get(), data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return ErrnoStatus("writing the image tarball", errno);
      data += w;
      n -= static_cast<size_t>(w);
    }
    return Status::Ok();
  }

 protected:
  HandlerResult Commit() override {
    fd_.reset();
    BERTH_ASSIGN_OR_RETURN(auto i, images_.Import(name_, path_));
    return JsonResponse(201, ToApi(i));
  }

 private:
  images::ImageStore& images_;
  std::string name_, path_;
  UniqueFd fd_;
};

}  // namespace

void RegisterImageRoutes(http::Router& r, ApiContext& ctx) {
  AuthService& auth = *ctx.auth;
  const Authorizer& authz = *ctx.authz;
  images::ImageStore& images = *ctx.images;

  r.Add("GET", "/api/v1/images", Authed(auth, [&images](Request&, const Principal&) -> HandlerResult {
          BERTH_ASSIGN_OR_RETURN(auto list, images.List());
          json out = json::array();
          for (const auto& i : list) out.push_back(ToApi(i));
          return JsonResponse(200, {{"images", out}});
        }));
  r.Add("POST", "/api/v1/images/build",
        Authed(auth, [&images, &authz](Request& req, const Principal& p) -> HandlerResult {
          if (!authz.CanManageImages(p)) return PermissionDenied("only a superadmin can build images");
          BERTH_ASSIGN_OR_RETURN(json body, ParseJsonObject(req, {"recipe", "replace"}));
          BERTH_ASSIGN_OR_RETURN(auto recipe, StringField(body, "recipe", true));
          BERTH_ASSIGN_OR_RETURN(auto replace, BoolField(body, "replace"));
          images::BuildOptions opts;
          opts.replace = replace.value_or(false);
          BERTH_ASSIGN_OR_RETURN(auto i, images.Build(*recipe, opts));
          return JsonResponse(201, ToApi(i));
        }));
  r.AddUpload("PUT", "/api/v1/images/import",
              AuthedUpload(auth, [&images, &authz](Request& req, const Principal& p)
                                     -> Result<std::unique_ptr<http::BodySink>> {
                if (!authz.CanManageImages(p)) {
                  return PermissionDenied("only a superadmin can import images");
                }
                BERTH_ASSIGN_OR_RETURN(std::string name, RequiredQuery(req, "name", "missing_name"));
                std::string path = "/tmp/berth-image-import-XXXXXX";
                int fd = ::mkstemp(path.data());
                if (fd < 0) return ErrnoStatus("creating a temp file", errno);
                return std::unique_ptr<http::BodySink>(
                    std::make_unique<ImageImportSink>(images, name, path, UniqueFd(fd)));
              }));
}

}  // namespace berth::manager

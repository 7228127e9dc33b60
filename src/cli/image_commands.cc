// `berth image ...`: session images (SPEC §3): list, build from a recipe kept
// on the server (synchronous, may take minutes), import a `docker save` / OCI
// tarball (streamed with a progress bar).
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <ostream>

#include "cli/client.h"
#include "cli/command_helpers.h"
#include "cli/format.h"
#include "cli/progress.h"
#include "cli/size.h"
#include "cli/table.h"
#include "cli/url.h"
#include "common/unique_fd.h"

namespace berth::cli {

namespace {

using nlohmann::json;

std::string SizeField(const json& img) {
  auto it = img.find("size_bytes");
  if (it == img.end() || !it->is_number_unsigned()) return "-";
  return FormatSize(it->get<uint64_t>());
}

void PrintImage(CliContext& ctx, const char* verb, const json& img) {
  ctx.out << verb << " image " << Field(img, "name") << " (" << SizeField(img) << ")\n";
}

struct ListOptions {
  std::string output;
};

Status ListImages(CliContext& ctx, const ListOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  BERTH_ASSIGN_OR_RETURN(std::string raw, c->Call("GET", "/api/v1/images"));
  BERTH_ASSIGN_OR_RETURN(json images, ParseList(raw, "images"));
  if (o.output == "json") return PrintJson(ctx, raw);
  if (images.empty()) {
    ctx.out << "No images (build one with `berth image build python`).\n";
    return Status::Ok();
  }
  Table t({"NAME", "SIZE", "SOURCE", "CREATED"});
  t.AlignRight(1);
  for (const json& img : images) {
    t.AddRow({Field(img, "name"), SizeField(img), Field(img, "source"),
              FormatTimestamp(img.value("created_at", ""))});
  }
  ctx.out << t.Render();
  return Status::Ok();
}

struct BuildOptions {
  std::string recipe, output;
};

Status BuildImage(CliContext& ctx, const BuildOptions& o) {
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  if (o.output != "json") {
    ctx.err << "Building image from recipe " << o.recipe << " (this can take minutes)...\n";
  }
  BERTH_ASSIGN_OR_RETURN(
      std::string raw, c->Call("POST", "/api/v1/images/build", json{{"recipe", o.recipe}}.dump()));
  BERTH_ASSIGN_OR_RETURN(json img, ParseObject(raw));
  if (o.output == "json") return PrintJson(ctx, raw);
  PrintImage(ctx, "Built", img);
  return Status::Ok();
}

struct ImportOptions {
  std::string name, tarball, output;
};

Status ImportImage(CliContext& ctx, const ImportOptions& o) {
  UniqueFd fd(::open(o.tarball.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st;
  if (!fd || ::fstat(fd.get(), &st) != 0) return ErrnoStatus(o.tarball, errno);
  if (!S_ISREG(st.st_mode)) return UsageError(o.tarball + ": not a regular file");
  BERTH_ASSIGN_OR_RETURN(BerthClient * c, ctx.Client());
  Target t("/api/v1/images/import");
  t.Query("name", o.name);
  uint64_t size = static_cast<uint64_t>(st.st_size);
  Progress progress(ctx.err, ctx.stderr_is_tty, o.tarball, size);
  Result<std::string> raw =
      c->SendFile("PUT", t.str(), fd.get(), size,
                  [&progress](uint64_t done, uint64_t) { progress.Update(done); });
  progress.Finish();
  if (!raw.ok()) return raw.status();
  BERTH_ASSIGN_OR_RETURN(json img, ParseObject(*raw));
  if (o.output == "json") return PrintJson(ctx, *raw);
  PrintImage(ctx, "Imported", img);
  return Status::Ok();
}

}  // namespace

void AddImageCommands(CLI::App& root, CliContext& ctx) {
  CLI::App* g = root.add_subcommand("image", "Session images: list, build, import");
  g->require_subcommand(0, 1);
  CLI::App* cmd;
  {
    auto o =
        Verb<ListOptions>(g, ctx, "list", "List the images sessions can use", ListImages, &cmd);
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<BuildOptions>(g, ctx, "build",
                                "Build an image from one of the server's recipes (e.g. python) "
                                "with mmdebstrap; waits until it is done",
                                BuildImage, &cmd);
    cmd->add_option("RECIPE", o->recipe, "Recipe name")->required();
    AddOutputFlag(cmd, &o->output);
  }
  {
    auto o = Verb<ImportOptions>(
        g, ctx, "import", "Import an image from a `docker save` or OCI tarball", ImportImage, &cmd);
    cmd->add_option("NAME", o->name, "Name of the new image")->required();
    cmd->add_option("TARBALL", o->tarball, "The tarball (.tar, .tar.gz)")->required();
    AddOutputFlag(cmd, &o->output);
  }
}

}  // namespace berth::cli

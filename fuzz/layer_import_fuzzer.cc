// Fuzzes applying one image layer (src/images/layer_import.h, ApplyLayer):
// tar/gnutar, plain or compressed, with whiteouts, links and hostile paths,
// extracted into a scratch root that is removed after every run. Beyond
// sanitizer reports, writing anything outside the root aborts
// (fuzz/import_fuzz_dir.h).
#include <cstdint>

#include "import_fuzz_dir.h"
#include "images/layer_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static berth::fuzz::ImportFuzzDir dir;
  dir.Start(data, size);
  (void)berth::images::ApplyLayer(dir.in(), dir.rootfs());
  dir.Finish();
  return 0;
}

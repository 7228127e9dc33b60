// Fuzzes importing a whole image tarball (src/images/layer_import.h,
// ImportImageArchive): `docker save` archives (manifest.json + layer tars)
// and OCI layouts (index.json + blobs), so the JSON manifests and the layer
// paths they name are attacker input too. Scratch dirs are removed after
// every run; writing outside them aborts (fuzz/import_fuzz_dir.h).
#include <cstdint>

#include "import_fuzz_dir.h"
#include "images/layer_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static berth::fuzz::ImportFuzzDir dir;
  dir.Start(data, size);
  (void)berth::images::ImportImageArchive(dir.in(), dir.work(), dir.rootfs());
  dir.Finish();
  return 0;
}

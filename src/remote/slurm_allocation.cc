#include "remote/slurm_allocation.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace berth::remote {
namespace {

std::optional<uint64_t> PositiveInt(const char* s) {
  if (s == nullptr || *s == '\0') return std::nullopt;
  uint64_t v = 0;
  const char* end = s + std::strlen(s);
  auto [p, ec] = std::from_chars(s, end, v);
  if (ec != std::errc() || p != end || v == 0) return std::nullopt;
  return v;
}

template <typename T>
void Bound(std::optional<T>& limit, const std::optional<T>& cap) {
  if (cap) limit = limit ? std::min(*limit, *cap) : *cap;
}

}  // namespace

SlurmAllocation ReadSlurmAllocation(const std::function<const char*(const char*)>& getenv) {
  SlurmAllocation a;
  if (auto cpus = PositiveInt(getenv("SLURM_CPUS_ON_NODE"))) a.cpus = static_cast<double>(*cpus);
  if (auto mib = PositiveInt(getenv("SLURM_MEM_PER_NODE")); mib && *mib < (uint64_t{1} << 40)) {
    a.memory_bytes = *mib << 20;
  }
  if (const char* g = getenv("SLURM_JOB_GPUS")) a.job_gpus = g;
  if (const char* g = getenv("CUDA_VISIBLE_DEVICES")) a.cuda_visible_devices = g;
  return a;
}

void ApplySlurmAllocation(const SlurmAllocation& a, agent::SessionSpec& spec) {
  Bound(spec.resources.cpus, a.cpus);
  Bound(spec.resources.memory_bytes, a.memory_bytes);
  if (a.job_gpus.empty() && a.cuda_visible_devices.empty()) return;
  agent::SessionRequest r = spec.request.get();
  if (!a.job_gpus.empty()) r.env["SLURM_JOB_GPUS"] = a.job_gpus;
  if (!a.cuda_visible_devices.empty()) r.env["CUDA_VISIBLE_DEVICES"] = a.cuda_visible_devices;
  // Re-validated as any request (a value Slurm would never set, e.g. over
  // 64 KiB, leaves the env as it was).
  if (auto valid = agent::ValidateSessionRequest(std::move(r)); valid.ok()) {
    spec.request = std::move(*valid);
  }
}

}  // namespace berth::remote

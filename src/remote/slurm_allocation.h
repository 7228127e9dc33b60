// SlurmAllocation: what Slurm gave the node agent's job (issue 15), read
// from the job's environment, and its effect on the session's container.
//
// cpu and memory: the container's limits are the smaller of the spec's (the
// manager's resolution of the request and the user's limits) and Slurm's
// (SLURM_CPUS_ON_NODE, SLURM_MEM_PER_NODE in MiB), so a session never
// uses more than its job holds, whatever the manager asked. GPUs
// (SLURM_JOB_GPUS, CUDA_VISIBLE_DEVICES) are only noted in the session's
// environment under the same names: no device node is passed into the
// container yet (docs/cluster.md).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "agent/session_agent.h"

namespace berth::remote {

struct SlurmAllocation {
  std::optional<double> cpus;            // SLURM_CPUS_ON_NODE
  std::optional<uint64_t> memory_bytes;  // SLURM_MEM_PER_NODE (MiB) in bytes
  std::string job_gpus;                  // SLURM_JOB_GPUS, "" if unset
  std::string cuda_visible_devices;      // CUDA_VISIBLE_DEVICES, "" if unset
};

// Reads the variables through `getenv` (std::getenv in the agent). A value
// that is not a positive integer is ignored.
SlurmAllocation ReadSlurmAllocation(const std::function<const char*(const char*)>& getenv);

// Bounds spec.resources by the allocation and adds the GPU variables to the
// session's env (they replace what the request set under those names).
void ApplySlurmAllocation(const SlurmAllocation& a, agent::SessionSpec& spec);

}  // namespace berth::remote

#include "remote/slurm_allocation.h"

#include <gtest/gtest.h>

#include <map>

namespace berth::remote {
namespace {

std::function<const char*(const char*)> Env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* k) -> const char* {
    auto it = vars.find(k);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

agent::SessionSpec Spec(std::optional<double> cpus, std::optional<uint64_t> memory) {
  agent::SessionRequest r;
  r.env["FOO"] = "bar";
  r.env["CUDA_VISIBLE_DEVICES"] = "7";
  agent::SessionSpec s(*agent::ValidateSessionRequest(r));
  s.resources.cpus = cpus;
  s.resources.memory_bytes = memory;
  return s;
}

TEST(SlurmAllocation, ReadsTheJobsVariables) {
  auto a = ReadSlurmAllocation(Env({{"SLURM_CPUS_ON_NODE", "2"},
                                    {"SLURM_MEM_PER_NODE", "1024"},
                                    {"SLURM_JOB_GPUS", "0,1"},
                                    {"CUDA_VISIBLE_DEVICES", "0,1"}}));
  EXPECT_EQ(a.cpus, 2.0);
  EXPECT_EQ(a.memory_bytes, uint64_t{1} << 30);
  EXPECT_EQ(a.job_gpus, "0,1");
  EXPECT_EQ(a.cuda_visible_devices, "0,1");
}

TEST(SlurmAllocation, IgnoresWhatIsNotAPositiveInteger) {
  auto a = ReadSlurmAllocation(Env({{"SLURM_CPUS_ON_NODE", "two"}, {"SLURM_MEM_PER_NODE", "0"}}));
  EXPECT_FALSE(a.cpus);
  EXPECT_FALSE(a.memory_bytes);
  a = ReadSlurmAllocation(Env({{"SLURM_CPUS_ON_NODE", "2x"}, {"SLURM_MEM_PER_NODE", "-5"}}));
  EXPECT_FALSE(a.cpus);
  EXPECT_FALSE(a.memory_bytes);
  EXPECT_FALSE(ReadSlurmAllocation(Env({})).cpus);
}

TEST(SlurmAllocation, LimitsAreTheSmallerOfTheSpecsAndSlurms) {
  SlurmAllocation a{2.0, uint64_t{1} << 30, "", ""};
  auto s = Spec(4.0, uint64_t{512} << 20);
  ApplySlurmAllocation(a, s);
  EXPECT_EQ(s.resources.cpus, 2.0);                      // Slurm's is smaller
  EXPECT_EQ(s.resources.memory_bytes, uint64_t{512} << 20);  // the spec's is smaller
  auto unset = Spec(std::nullopt, std::nullopt);
  ApplySlurmAllocation(a, unset);
  EXPECT_EQ(unset.resources.cpus, 2.0);
  EXPECT_EQ(unset.resources.memory_bytes, uint64_t{1} << 30);
  auto none = Spec(0.5, std::nullopt);
  ApplySlurmAllocation({}, none);
  EXPECT_EQ(none.resources.cpus, 0.5);
  EXPECT_FALSE(none.resources.memory_bytes);
}

TEST(SlurmAllocation, GpusAreNotedInTheEnvOnly) {
  auto s = Spec(1.0, std::nullopt);
  ApplySlurmAllocation({std::nullopt, std::nullopt, "3", "3"}, s);
  EXPECT_EQ(s.request->env.at("SLURM_JOB_GPUS"), "3");
  EXPECT_EQ(s.request->env.at("CUDA_VISIBLE_DEVICES"), "3");  // Slurm's replaces the request's
  EXPECT_EQ(s.request->env.at("FOO"), "bar");
  EXPECT_EQ(s.resources.cpus, 1.0);
}

}  // namespace
}  // namespace berth::remote

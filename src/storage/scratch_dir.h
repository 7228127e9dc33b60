// Per-session scratch directories with a size limit (SPEC §3 "Limits"): the
// directory that holds one session's scratch home and, on runc, its
// container's writable layer (the overlay upper dir), so that one limit
// bounds everything the session writes outside its folders.
//
// Three kinds, chosen once per deployment (ChooseScratchKind):
//  - kBtrfs: the directory is a btrfs subvolume whose qgroup has a
//    max_referenced limit; a write past it fails with EDQUOT ("Disk quota
//    exceeded"). Costs nothing until written.
//  - kTmpfs: a tmpfs mounted on the directory with size=<limit>; a write
//    past it fails with ENOSPC. What is written lives in RAM (and swap), so
//    the limit is also the most memory one session's scratch can take, on
//    top of its cgroup memory limit.
//  - kPlain: a plain directory, unbounded (the file system has no quota
//    Berth can use and the deployment did not ask for tmpfs).
//
// RemoveScratchDir needs no kind: it reads from the disk what the directory
// is, so reconciliation after a crash (or a change of kind between two runs)
// removes any of them.
// Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace berth::storage {

enum class ScratchKind { kPlain, kBtrfs, kTmpfs };

// "plain", "btrfs", "tmpfs".
const char* ScratchKindName(ScratchKind kind);

// The kind for scratch dirs made in the directory `parent`: kBtrfs when
// `parent` is on btrfs (quota groups are turned on; FailedPrecondition if
// they cannot be), else kTmpfs when `tmpfs` is asked for, else kPlain.
Result<ScratchKind> ChooseScratchKind(const std::string& parent, bool tmpfs);

// Creates the directory `path` (mode 0700, owned by root; its parent must
// exist) as a scratch dir of `kind` bounded to `limit_bytes` (0: no limit;
// kTmpfs then gets the kernel's default size, half of RAM). AlreadyExists if
// `path` exists. On failure nothing is left behind.
Status CreateScratchDir(const std::string& path, ScratchKind kind, uint64_t limit_bytes);

// Removes a scratch dir of any kind with everything in it: a tmpfs mounted
// on it is unmounted (lazily), a subvolume is deleted with its qgroup, a
// plain directory is removed by RemoveTree. Never crosses another mount
// beneath `path` (FailedPrecondition "mount_point_in_tree", as RemoveTree).
// OK if `path` does not exist.
Status RemoveScratchDir(const std::string& path);

}  // namespace berth::storage

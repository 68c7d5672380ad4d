#pragma once

/// Canonical raft 0.15's C headers (Debian `libraft-dev`), which have no
/// `extern "C"` guards of their own. Include this, never <raft.h> directly;
/// only `storage/raft/` (and its tests) may.
extern "C" {
#include <raft.h>
#include <raft/uv.h>
}

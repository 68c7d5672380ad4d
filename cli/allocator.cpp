// The server's allocator is jemalloc (Debian libjemalloc-dev), linked into
// `sluice` in every build but the sanitizer one (CMakeLists.txt). Measured
// with bench/ab.sh against glibc's malloc with two arenas, which every I/O,
// actor and storage thread contended for: batch sends +35-42%, drains +21-26%,
// push +15-25% (docs/benchmarks.md, "Side by side with Redis").
//
// jemalloc reads its options from this symbol at its first allocation:
// - narenas:2 — two arenas, as glibc had: a burst of large requests does not
//   grow an arena per thread (docs/operations.md, "Overload");
// - dirty_decay_ms:1000, muzzy_decay_ms:0 — pages freed by a burst go back to
//   the system within about a second instead of ten;
// - background_thread:true — that purging runs on jemalloc's own thread, not
//   inside the allocations of a request.
// An environment MALLOC_CONF still overrides these.
extern "C" {
// NOLINTNEXTLINE: the name is jemalloc's.
extern const char* malloc_conf;
const char* malloc_conf = "narenas:2,dirty_decay_ms:1000,muzzy_decay_ms:0,background_thread:true";
}

//! How the process asks glibc's allocator to behave.
//!
//! Measured (`.ci/bench`, P6): after 200 logins RSS stayed near 200 MB. Each
//! argon2 hash allocates a 19 MiB block. glibc serves large blocks with mmap
//! and gives them back on free, but its *dynamic* mmap threshold rises to
//! the size of the first such block freed, so every later 19 MiB block came
//! from an arena heap and stayed there, one arena per thread that hashed.
//! Fixing the threshold (which turns the dynamic adjustment off) sends them
//! back to the OS on every free; capping the arenas keeps per-thread heaps
//! from multiplying on a small machine.

/// Blocks this large are mmapped and returned on free: argon2's 19 MiB
/// are; the compressor's few-MiB windows, reused per response, are not.
const MMAP_THRESHOLD: i32 = 8 << 20;

/// Call once, first thing in `main`, before threads start.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; it is called before
    // any other thread exists, with documented parameters and values.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

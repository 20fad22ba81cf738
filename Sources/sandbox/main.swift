#if canImport(Glibc)
import Glibc

// A bounded footprint for cleanups of millions of keys: glibc gives each thread that allocates its own arena and,
// once a large block is freed, raises its mmap threshold, so later list pages and DeleteObjects bodies (hundreds of
// KB, allocated and freed on different threads) pile up in those arenas. Two arenas and a fixed threshold hand such
// blocks back to the system when they are freed. A MALLOC_* environment setting still wins. `mallopt` is looked up
// because Swift's Glibc module leaves out <malloc.h>; its option numbers are glibc's ABI.
if let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") {
    let mallopt = unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
    let arenaMax: Int32 = -8, mmapThreshold: Int32 = -3
    if getenv("MALLOC_ARENA_MAX") == nil { _ = mallopt(arenaMax, 2) }
    if getenv("MALLOC_MMAP_THRESHOLD_") == nil { _ = mallopt(mmapThreshold, 32 * 1024) }
}
#endif

import SandboxCLI

await SandboxEntry.main()

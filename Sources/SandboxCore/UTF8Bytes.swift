import Foundation

/// Byte-wise comparisons of UTF-8 text, as S3 compares keys (`String`'s own comparisons are canonical-equivalence
/// aware: U+212A KELVIN SIGN equals "K"). They run once or twice per key on cleanup's hot path, so they read the
/// contiguous UTF-8 storage of a native string in place instead of stepping through `utf8` a byte at a time.
extension String {
    /// Calls `body` with the UTF-8 bytes: in place for a native string (every key S3 lists), else a copy.
    @inlinable
    public func withUTF8Bytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        if let result = try utf8.withContiguousStorageIfAvailable(body) { return result }
        return try Array(utf8).withUnsafeBufferPointer(body)
    }

    /// True when this text's bytes start with `prefix`'s bytes.
    public func hasUTF8Prefix(_ prefix: String) -> Bool {
        withUTF8Bytes { bytes in
            prefix.withUTF8Bytes { head in
                guard head.count <= bytes.count else { return false }
                guard let a = bytes.baseAddress, let b = head.baseAddress else { return true }  // an empty prefix
                return memcmp(a, b, head.count) == 0
            }
        }
    }

    /// True when this text sorts before `other` byte by byte (a proper prefix sorts first), as S3 orders keys.
    public func utf8Precedes(_ other: String) -> Bool {
        withUTF8Bytes { a in
            other.withUTF8Bytes { b in
                var order: Int32 = 0
                if let left = a.baseAddress, let right = b.baseAddress { order = memcmp(left, right, Swift.min(a.count, b.count)) }
                return order != 0 ? order < 0 : a.count < b.count
            }
        }
    }

    /// True when a byte at or after `offset` is `byte`.
    public func utf8Contains(_ byte: UInt8, from offset: Int = 0) -> Bool {
        withUTF8Bytes { bytes in
            guard offset < bytes.count, let base = bytes.baseAddress else { return false }
            return memchr(base + offset, Int32(byte), bytes.count - offset) != nil
        }
    }
}

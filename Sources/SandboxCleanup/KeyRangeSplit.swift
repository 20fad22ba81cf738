/// Split points for listing one prefix as several key ranges at once, when the prefix has no common prefixes to
/// fan out over. S3 lists a range with `StartAfter`; a range ends at its upper split point, checked on our side.
///
/// The points are guessed from the last page's keys, by character class: keys are usually counters, hashes or
/// words, so at each digit position (and at the position where the page's keys start to differ) the characters
/// above the last key's, in that position's class, start new ranges. A guess that finds an empty range costs one
/// request; a range that turns out large is split again when it lists its next page.
enum KeyRangeSplit {
    /// S3's order: keys compare as UTF-8 bytes, not as Unicode strings.
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8Precedes(b)
    }

    /// Up to `count` split points, ascending, each after `last` and at or before `upper` (nil: the end of the
    /// prefix), each starting with `prefix`. `first` is the first key of the page that ended at `last`.
    /// In a delimited listing no point holds the delimiter past the prefix, so no common prefix straddles a point.
    static func points(prefix: String, first: String, last: String, upper: String?, delimited: Bool, count: Int) -> [String] {
        guard count > 0 else { return [] }
        let base = prefix.utf8.count
        let lastBytes = Array(last.utf8), firstBytes = Array(first.utf8)
        guard lastBytes.count > base, lastBytes.starts(with: prefix.utf8) else { return [] }
        var end = lastBytes.count
        if delimited, let slash = lastBytes[base...].firstIndex(of: UInt8(ascii: "/")) { end = slash }
        var varying = base
        while varying < min(firstBytes.count, lastBytes.count), firstBytes[varying] == lastBytes[varying] { varying += 1 }
        varying = min(varying, lastBytes.count - 1)
        var seen: [UInt8] = [lastBytes[varying]]
        if varying < firstBytes.count { seen.append(firstBytes[varying]) }
        let varyingClass = CharacterClass.smallest(containing: seen)
        var candidates: [[UInt8]] = []
        var position = min(varying, end - 1)
        var inRun = true  // the run of the varying class just left of the varying position: a counter's digits
        while position >= base {
            let byte = lastBytes[position]
            let alphabet: [UInt8]?
            if position == varying {
                alphabet = varyingClass
            } else {
                inRun = inRun && varyingClass?.contains(byte) == true
                // Digits elsewhere are counters more often than not (t000/, 2026-12-02/).
                alphabet = inRun ? varyingClass : CharacterClass.digits.contains(byte) ? CharacterClass.digits : nil
            }
            if let alphabet {
                let head = lastBytes[..<position]
                for character in alphabet where character > byte {
                    candidates.append(Array(head) + [character])
                }
            }
            position -= 1
        }
        let upperBytes = upper.map { Array($0.utf8) }
        // Each point is above `last` by construction; a point at or above the range's end would list nothing.
        var points = candidates.filter { point in upperBytes.map { point.lexicographicallyPrecedes($0) } ?? true }
        points.sort { $0.lexicographicallyPrecedes($1) }
        if points.count > count {
            // Evenly spread over the candidates, so every position and part of the alphabet gets some.
            let all = points, step = Double(all.count) / Double(count)
            points = (0..<count).map { all[min(all.count - 1, Int(Double($0) * step + step / 2))] }
        }
        // Only ASCII bytes are ever appended, after a cut at an ASCII byte: the points are valid UTF-8.
        return points.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The alphabets keys are usually written in, smallest first; each sorted as S3 sorts bytes.
    enum CharacterClass {
        static let digits = bytes("0123456789")
        static let all: [[UInt8]] = [
            digits,
            bytes("0123456789abcdef"),
            bytes("0123456789ABCDEF"),
            bytes("abcdefghijklmnopqrstuvwxyz"),
            bytes("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            bytes("0123456789abcdefghijklmnopqrstuvwxyz"),
            bytes("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
            bytes("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"),
        ]

        /// The first alphabet holding every byte of `seen`; nil when one is outside them all (punctuation, non-ASCII).
        static func smallest(containing seen: [UInt8]) -> [UInt8]? {
            all.first { alphabet in seen.allSatisfy(alphabet.contains) }
        }

        private static func bytes(_ text: StaticString) -> [UInt8] {
            text.withUTF8Buffer { Array($0) }
        }
    }
}

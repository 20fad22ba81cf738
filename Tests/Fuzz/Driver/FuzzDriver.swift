import Foundation
import SandboxFuzzing

// `make fuzz` builds this with -sanitize=fuzzer -DSANDBOX_LIBFUZZER: a coverage-guided libFuzzer target for
// SANDBOX_FUZZ_TARGET (stack or runscope); libFuzzer reads its usual flags (-max_total_time, corpus directories).
// The plain build is a replay driver: `sandbox-fuzz TARGET FILE_OR_DIR...` runs the given inputs through the same
// properties (crash reproducers, corpora), exiting 1 on the first violation.

#if SANDBOX_LIBFUZZER
private let selected: @Sendable ([UInt8]) -> String? = {
    let name = ProcessInfo.processInfo.environment["SANDBOX_FUZZ_TARGET"] ?? "stack"
    guard let target = FuzzTargets.target(named: name) else {
        FileHandle.standardError.write(Data("SANDBOX_FUZZ_TARGET must be one of \(FuzzTargets.names.joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if let problem = selected(bytes) { fatalError("property violated: \(problem)") }
    return 0
}

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: FuzzCallback) -> CInt

@main
struct FuzzDriver {
    static func main() {
        _ = selected
        var argc = CommandLine.argc
        var argv = Optional(CommandLine.unsafeArgv)
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
    }
}
#else
@main
struct FuzzDriver {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let name = arguments.first, let target = FuzzTargets.target(named: name) else {
            print("usage: sandbox-fuzz \(FuzzTargets.names.joined(separator: "|")) FILE_OR_DIR...")
            exit(2)
        }
        var files: [String] = []
        for path in arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { "\(path)/\($0)" }
            } else {
                files.append(path)
            }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            if let problem = target(Array(data)) {
                print("\(file): \(problem)")
                exit(1)
            }
        }
        print("\(name): \(files.count) input(s), no violation")
    }
}
#endif

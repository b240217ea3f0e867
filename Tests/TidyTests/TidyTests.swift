// Proves the core modules stay deterministic and keep to DESIGN.md §3's import rules, by reading
// their sources: no clocks, no randomness, no threads or tasks, no imports they may not have.
import Foundation
import XCTest

final class TidyTests: XCTestCase {
    /// Core targets and the modules each may import (DESIGN.md §3).
    static let allowedImports: [String: Set<String>] = [
        "HTTP": [],
        "Registry": [],
        "Raft": [],
        "DNS": ["Registry"],
        "Store": ["Registry", "Raft", "CSQLite", "Glibc"],  // Store owns its files (data folder, node-id)
        "API": ["HTTP", "Registry", "Store"],
        "Server": ["HTTP", "Registry", "Store", "API", "Raft", "DNS"],
    ]

    /// Text that means a clock, randomness, a thread or a task in core code.
    static let forbidden = [
        "Date()", "Date.now", "ContinuousClock", "SuspendingClock", "DispatchTime", "CFAbsoluteTime",
        "clock_gettime", "gettimeofday", "time(nil)", ".random(", "UUID()", "arc4random", "getrandom",
        "SystemRandomNumberGenerator", "Thread(", "Thread.", "pthread_create", "DispatchQueue", "Task {",
        "Task.detached", "Task(", "ProcessInfo",
    ]

    static var sourcesRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources")
    }

    static func swiftFiles(in target: String) throws -> [(URL, String)] {
        let folder = sourcesRoot.appendingPathComponent(target)
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        var files: [(URL, String)] = []
        while let url = enumerator?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            files.append((url, try String(contentsOf: url, encoding: .utf8)))
        }
        return files.sorted { $0.0.path < $1.0.path }
    }

    /// Lines of code with `//` comments removed, so a comment may name what the code avoids.
    static func codeLines(_ text: String) -> [(Int, String)] {
        text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map { index, line in
            let code = line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line)
            return (index + 1, code)
        }
    }

    func testCoreModulesNeitherReadClocksNorDrawRandomnessNorStartThreads() throws {
        var violations: [String] = []
        for target in Self.allowedImports.keys.sorted() {
            for (url, text) in try Self.swiftFiles(in: target) {
                for (number, code) in Self.codeLines(text) {
                    // A draw from a generator passed in (`using: &seeded`) is deterministic; others are not.
                    for pattern in Self.forbidden where code.contains(pattern) && !(pattern == ".random(" && code.contains("using: &")) {
                        violations.append("\(target)/\(url.lastPathComponent):\(number): \(pattern)")
                    }
                }
            }
        }
        XCTAssertEqual(violations, [], "core code must be deterministic (STYLE.md principle 2)")
    }

    func testCoreModulesImportOnlyWhatDesignAllows() throws {
        var violations: [String] = []
        for (target, allowed) in Self.allowedImports.sorted(by: { $0.key < $1.key }) {
            for (url, text) in try Self.swiftFiles(in: target) {
                for (number, code) in Self.codeLines(text) {
                    let trimmed = code.trimmingCharacters(in: .whitespaces)
                    guard let module = Self.importedModule(trimmed) else { continue }
                    if !allowed.contains(module) {
                        violations.append("\(target)/\(url.lastPathComponent):\(number): import \(module)")
                    }
                }
            }
        }
        XCTAssertEqual(violations, [], "DESIGN.md §3: who may import whom")
    }

    func testTheScanFindsWhatItLooksFor() {
        // Guards the guard: the helpers must see an import and a forbidden call.
        XCTAssertEqual(Self.importedModule("import Foundation"), "Foundation")
        XCTAssertEqual(Self.importedModule("@testable import Loop"), "Loop")
        XCTAssertEqual(Self.importedModule("import struct Glibc.timespec"), "Glibc")
        XCTAssertNil(Self.importedModule("let important = 1"))
        XCTAssertEqual(Self.codeLines("let x = Date() // Date()").first?.1.contains("Date()"), true)
        XCTAssertEqual(Self.codeLines("// Date() only in a comment").first?.1.contains("Date()"), false)
        XCTAssertFalse(try Self.swiftFiles(in: "HTTP").isEmpty, "the scan must find the core sources")
    }

    static func importedModule(_ line: String) -> String? {
        var words = line.split(separator: " ").map(String.init)
        while let first = words.first, first.hasPrefix("@") || first == "public" || first == "internal" || first == "private" || first == "fileprivate" {
            words.removeFirst()
        }
        guard words.first == "import", words.count >= 2 else { return nil }
        let kinds: Set<String> = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"]
        let path = kinds.contains(words[1]) && words.count >= 3 ? words[2] : words[1]
        return String(path.split(separator: ".").first ?? Substring(path))
    }
}

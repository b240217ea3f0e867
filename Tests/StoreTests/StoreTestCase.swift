// Shared set-up: each test gets its own empty folder (mkdtemp), removed again in tearDown.
import Foundation
import Glibc
import XCTest

class StoreTestCase: XCTestCase {
    /// This test's private folder, without a trailing slash.
    private(set) var directory = ""

    override func setUpWithError() throws {
        try super.setUpWithError()
        var template = Array("/tmp/gravity-store-test-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard let created else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        directory = String(cString: created)
    }

    override func tearDownWithError() throws {
        if !directory.isEmpty {
            try FileManager.default.removeItem(atPath: directory)
        }
        try super.tearDownWithError()
    }

    /// A path inside this test's folder.
    func path(_ name: String) -> String {
        directory + "/" + name
    }
}

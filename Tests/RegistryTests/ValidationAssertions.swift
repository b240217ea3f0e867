// Test support: asserts that a validation fails with exactly the message clients match on.
import Registry
import XCTest

func assertRefused(
    _ message: String, field: String? = nil, file: StaticString = #filePath, line: UInt = #line,
    _ body: () throws -> Void
) {
    do {
        try body()
        XCTFail("expected \"\(message)\"", file: file, line: line)
    } catch let error as ValidationError {
        XCTAssertEqual(error.message, message, file: file, line: line)
        if let field { XCTAssertEqual(error.field, field, file: file, line: line) }
    } catch {
        XCTFail("expected a ValidationError, got \(error)", file: file, line: line)
    }
}

// Proves the JSON writer: key order as built, escaping, numbers as Go prints them, pretty form.
import API
import XCTest

final class JSONTests: XCTestCase {
    func testKeysKeepTheirOrder() {
        let value: JSON = .object([("b", 1), ("a", 2), ("c", .array([]))])
        XCTAssertEqual(String(decoding: value.encoded(), as: UTF8.self), "{\"b\":1,\"a\":2,\"c\":[]}")
    }

    func testEscaping() {
        let value: JSON = .string("q\" b\\ n\n t\t c\u{01} é")
        XCTAssertEqual(String(decoding: value.encoded(), as: UTF8.self), "\"q\\\" b\\\\ n\\n t\\t c\\u0001 é\"")
    }

    func testNumbers() {
        XCTAssertEqual(String(decoding: JSON.double(1.5).encoded(), as: UTF8.self), "1.5")
        XCTAssertEqual(String(decoding: JSON.double(2).encoded(), as: UTF8.self), "2")
        XCTAssertEqual(String(decoding: JSON.double(.nan).encoded(), as: UTF8.self), "null")
        XCTAssertEqual(String(decoding: JSON.int(Int64.min).encoded(), as: UTF8.self), "-9223372036854775808")
        XCTAssertEqual(String(decoding: JSON.uint(UInt64.max).encoded(), as: UTF8.self), "18446744073709551615")
    }

    func testPretty() {
        let value: JSON = .object([("a", .array([1, 2])), ("b", .object([]))])
        XCTAssertEqual(String(decoding: value.encoded(pretty: true), as: UTF8.self), "{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": {}\n}\n")
    }
}

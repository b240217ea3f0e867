// Proves the JSON parser: RFC 8259 values, Go-like error texts, limits, and case-insensitive lookup.
import API
import XCTest

final class JSONParserTests: XCTestCase {
    func parse(_ text: String) throws -> JSON { try JSONParser.parse(Array(text.utf8)) }

    func testValues() throws {
        XCTAssertEqual(try parse(" {\"a\": [1, -2.5, true, false, null, \"x\"], \"b\": {}} "),
                       .object([("a", .array([.int(1), .double(-2.5), .bool(true), .bool(false), .null, .string("x")])), ("b", .object([]))]))
        XCTAssertEqual(try parse("1e3"), .double(1000))
        XCTAssertEqual(try parse("9223372036854775807"), .int(Int64.max))
        XCTAssertEqual(try parse("9223372036854775808"), .double(9223372036854775808))
    }

    func testStringEscapes() throws {
        XCTAssertEqual(try parse(#""a\"b\\c\/d\n\t\u00e9\ud83d\ude00""#), .string("a\"b\\c/d\n\té😀"))
        XCTAssertEqual(try parse(#""\ud800x""#), .string("\u{FFFD}x"))
        // Strings without escapes are decoded straight from the input; one with an escape
        // after a plain prefix keeps the prefix.
        XCTAssertEqual(try parse(#"["plain", "", "pre\tfix", "é\"", "\u0041bc"]"#),
                       .array([.string("plain"), .string(""), .string("pre\tfix"), .string("é\""), .string("Abc")]))
        XCTAssertEqual(try JSONParser.parse([0x22, 0x61, 0xFF, 0x62, 0x22]), .string("a\u{FFFD}b"), "invalid UTF-8 is repaired")
    }

    func testRoundTripsThroughTheWriter() throws {
        let value: JSON = .object([("k", .array([.string("q\"\n"), .int(-3), .double(0.25), .null]))])
        XCTAssertEqual(try JSONParser.parse(value.encoded()), value)
        XCTAssertEqual(try JSONParser.parse(value.encoded(pretty: true)), value)
    }

    func testErrorsSayWhatWasWrong() {
        let cases: [(String, String)] = [
            ("", "EOF"),
            ("{", "looking for beginning of object key string"),
            ("{\"a\" 1}", "after object key"),
            ("[1,]", "looking for beginning of value"),
            ("[1 2]", "after array element"),
            ("01", "after top-level value"),
            ("\"a\u{01}\"", "in string literal"),
            ("\"abc", "in string"),
            ("\"a\\nb", "in string"),
            ("\"\\x\"", "in string escape code"),
            ("tru", "in literal true"),
            ("{} x", "after top-level value"),
            ("-", "in numeric literal"),
            ("1.", "after decimal point"),
        ]
        for (text, fragment) in cases {
            XCTAssertThrowsError(try parse(text), text) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(text): \(error)")
            }
        }
    }

    func testDepthIsLimited() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        XCTAssertThrowsError(try parse(deep)) { XCTAssertTrue("\($0)".contains("nesting")) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        XCTAssertNoThrow(try parse(fine))
    }

    func testCaseInsensitiveLookupPrefersExactThenLast() throws {
        let value = try parse(#"{"name": "a", "Name": "b", "ID": "c", "id": "d"}"#)
        XCTAssertEqual(value["Name"], .string("b"))
        XCTAssertEqual(value["NAME"], .string("b"))
        XCTAssertEqual(value["Id"], .string("d"))
        XCTAssertEqual(value.first(of: "EnableTagOverride", "enable_tag_override"), nil)
        XCTAssertEqual(try parse(#"{"enable_tag_override": true}"#).first(of: "EnableTagOverride", "enable_tag_override"), .bool(true))
    }

    func testCaseInsensitiveLookupFoldsOnlyLettersAndKeepsUnicodeLowercasing() throws {
        XCTAssertEqual(try parse(#"{"tags": 1}"#)["TAGS"], .int(1))
        XCTAssertEqual(try parse(#"{"tag": 1}"#)["TAGS"], nil, "lengths differ")
        XCTAssertEqual(try parse(#"{"a[": 1}"#)["A{"], nil, "'[' and '{' differ by 0x20 but are not letters")
        // The Kelvin sign lowercases to an ASCII "k", as String.lowercased() always did here.
        XCTAssertEqual(try parse("{\"\u{212A}ind\": 1}")["Kind"], .int(1))
        XCTAssertEqual(try parse(#"{"ÉTAT": 1}"#)["état"], .int(1))
        // ASCII first characters decide when they fold apart, whatever follows them.
        XCTAssertEqual(try parse(#"{"xTAT": 1}"#)["Xtat"], .int(1))
        XCTAssertEqual(try parse(#"{"Aé": 1}"#)["Bé"], nil)
        XCTAssertEqual(try parse(#"{"[é": 1}"#)["{é"], nil)
        XCTAssertEqual(try parse("{\"\u{212A}\": 1}")["k"], .int(1), "a non-ASCII first character is lowercased first")
    }
}

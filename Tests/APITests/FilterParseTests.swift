// Proves the ?filter= parser accepts go-bexpr's value forms and refuses bad expressions with a message that names the position and the problem, including every FilterLimits bound.
import API
import XCTest

final class FilterParseTests: XCTestCase {
    func message(_ expression: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        do {
            _ = try FilterExpression(expression)
            XCTFail("\(expression) parsed", file: file, line: line)
            return ""
        } catch {
            XCTAssertEqual(error.description, error.message, file: file, line: line)
            return error.message
        }
    }

    func assertRefused(_ expression: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(message(expression, file: file, line: line), expected, file: file, line: line)
    }

    func testValueForms() throws {
        let element: JSON = .object([("S", "a\tb"), ("Raw", "x\\n\"y"), ("N", .int(-3)), ("F", .double(1.5)), ("B", true), ("W", "v2.web")])
        for expression in [
            "S == \"a\\tb\"", "S == \"a\\x09b\"", "S == \"a\\u0009b\"", "S == \"a\\U00000009b\"", "S == \"a\\011b\"",
            "Raw == `x\\n\"y`", "N == -3", "N == \"-3\"", "F == 1.5", "F == +1.50", "B == true", "W == v2.web",
        ] {
            XCTAssertTrue(try FilterExpression(expression).matches(element), expression)
        }
    }

    func testUnicodeEscapesAndRawNewlines() throws {
        let element: JSON = .object([("S", "caf\u{e9} \u{1F600}"), ("R", "a\nb")])
        XCTAssertTrue(try FilterExpression("S == \"caf\\u00e9 \\U0001F600\"").matches(element))
        XCTAssertTrue(try FilterExpression("S == \"café 😀\"").matches(element))
        XCTAssertTrue(try FilterExpression("R == `a\nb`").matches(element))
        // Go compares bytes: a decomposed é is a different string.
        XCTAssertFalse(try FilterExpression("S == \"cafe\u{301} \u{1F600}\"").matches(element))
    }

    func testSelectorsWithUnderscoresAndDigits() throws {
        let element: JSON = .object([("_x", .object([("y_2", "z")]))])
        XCTAssertTrue(try FilterExpression("_x.y_2 == z").matches(element))
    }

    func testEmptyExpression() {
        assertRefused("", "invalid filter: the expression is empty")
        assertRefused(" \n\t", "invalid filter: the expression is empty")
    }

    func testUnbalancedParentheses() {
        assertRefused("(a == b", "invalid filter at line 1, column 8: expected \"and\", \"or\" or \")\" to close the \"(\" at line 1, column 1, found the end of the expression")
        assertRefused("((a == b) or c == d", "invalid filter at line 1, column 20: expected \"and\", \"or\" or \")\" to close the \"(\" at line 1, column 1, found the end of the expression")
        assertRefused("a == b)", "invalid filter at line 1, column 7: expected \"and\", \"or\" or the end of the expression, found \")\"")
        assertRefused("()", "invalid filter at line 1, column 2: expected a selector or a value, found \")\"")
    }

    func testUnknownOperator() {
        assertRefused("a <> b", "invalid filter at line 1, column 3: expected an operator: ==, !=, is empty, is not empty, in, not in, contains, not contains, matches or not matches, found \"<>\"")
        assertRefused("a > 1", "invalid filter at line 1, column 3: expected an operator: ==, !=, is empty, is not empty, in, not in, contains, not contains, matches or not matches, found \">\"")
        assertRefused("a === b", "invalid filter at line 1, column 5: expected a value: a quoted string, a number, true, false or a bare word, found \"=\"")
        assertRefused("a is full", "invalid filter at line 1, column 6: expected \"empty\" or \"not empty\" after \"is\", found \"full\"")
        assertRefused("a is not full", "invalid filter at line 1, column 10: expected \"empty\" after \"is not\", found \"full\"")
        assertRefused("a not equals b", "invalid filter at line 1, column 7: expected \"in\", \"contains\" or \"matches\" after \"not\", found \"equals\"")
        assertRefused("a == b AND c == d", "invalid filter at line 1, column 8: expected \"and\", \"or\" or the end of the expression, found \"AND\"")
        assertRefused("a IN b", "invalid filter at line 1, column 3: expected an operator: ==, !=, is empty, is not empty, in, not in, contains, not contains, matches or not matches, found \"IN\"")
    }

    func testMissingPieces() {
        assertRefused("a ==", "invalid filter at line 1, column 5: expected a value, found the end of the expression")
        assertRefused("a", "invalid filter at line 1, column 2: expected an operator: ==, !=, is empty, is not empty, in, not in, contains, not contains, matches or not matches, found the end of the expression")
        assertRefused("a == b and", "invalid filter at line 1, column 11: expected a selector or a value, found the end of the expression")
        assertRefused("not", "invalid filter at line 1, column 4: expected a selector or a value, found the end of the expression")
        assertRefused("\"x\" in", "invalid filter at line 1, column 7: expected a selector after \"in\", found the end of the expression")
        assertRefused("\"x\" in 5", "invalid filter at line 1, column 8: expected a selector after \"in\", found \"5\"")
        assertRefused("\"x\" == a", "invalid filter at line 1, column 5: expected \"in\" or \"not in\" after a value, found \"==\"")
        assertRefused("\"x\" not a", "invalid filter at line 1, column 9: expected \"in\" after a value and \"not\", found \"a\"")
        assertRefused("== a", "invalid filter at line 1, column 1: expected a selector or a value, found \"==\"")
    }

    func testTrailingGarbage() {
        assertRefused("a == b c", "invalid filter at line 1, column 8: expected \"and\", \"or\" or the end of the expression, found \"c\"")
        assertRefused("a == \"b\" \"c\"", "invalid filter at line 1, column 10: expected \"and\", \"or\" or the end of the expression, found \"\\\"c\\\"\"")
    }

    func testValuesThatNeedQuotes() {
        assertRefused("a == web-1", "invalid filter at line 1, column 9: an unquoted value may hold only letters, digits, \"_\" and \".\"; quote it, found \"-1\"")
        assertRefused("a == 8080abc", "invalid filter at line 1, column 10: invalid number; quote values that are not plain numbers, found \"abc\"")
        assertRefused("a == 1.2.3", "invalid filter at line 1, column 9: invalid number; quote values that are not plain numbers, found \".3\"")
        assertRefused("a == -", "invalid filter at line 1, column 7: expected digits after the sign, found the end of the expression")
        assertRefused("a[\"k\"] in b", "invalid filter at line 1, column 1: a value before \"in\" must be a quoted string, a number or a bare word")
    }

    func testBadStrings() {
        assertRefused("a == \"open", "invalid filter at line 1, column 6: the string opened at line 1, column 6 is never closed")
        assertRefused("a == `open", "invalid filter at line 1, column 6: the string opened at line 1, column 6 is never closed")
        assertRefused("a == \"x\\qy\"", "invalid filter at line 1, column 8: unknown escape \"\\q\" in a string")
        assertRefused("a == \"\\x4\"", "invalid filter at line 1, column 7: the escape needs 2 hexadecimal digits")
        assertRefused("a == \"\\uD800\"", "invalid filter at line 1, column 7: the escape names no Unicode scalar (a surrogate, or above U+10FFFF)")
        assertRefused("a == \"\\400\"", "invalid filter at line 1, column 7: octal escape above \\377")
        assertRefused("a == \"two\nlines\"", "invalid filter at line 1, column 10: a double-quoted string may not hold a newline; write \\n, or use a `raw` string, found \"\\nlines\\\"\"")
    }

    func testBadSelectors() {
        assertRefused("a. == b", "invalid filter at line 1, column 3: expected a field name (a letter or \"_\", then letters, digits or \"_\"), found \" ==\"")
        assertRefused("a.1 == b", "invalid filter at line 1, column 3: expected a field name (a letter or \"_\", then letters, digits or \"_\"), found \"1\"")
        assertRefused("a[k] == b", "invalid filter at line 1, column 3: expected a quoted key inside [ ], found \"k]\"")
        assertRefused("a[\"k\" == b", "invalid filter at line 1, column 7: expected \"]\" to close the index, found \"==\"")
        assertRefused("1a == b", "invalid filter at line 1, column 2: invalid number; quote values that are not plain numbers, found \"a\"")
    }

    func testPositionsCountLinesAndScalars() {
        assertRefused("a == b and\nc ~ d", "invalid filter at line 2, column 3: expected an operator: ==, !=, is empty, is not empty, in, not in, contains, not contains, matches or not matches, found \"~\"")
        assertRefused("a == \"é\" b", "invalid filter at line 1, column 10: expected \"and\", \"or\" or the end of the expression, found \"b\"")
    }

    func testBadRegularExpression() {
        assertRefused("a matches \"(\"", "invalid filter at line 1, column 11: invalid regular expression \"(\": missing closing ): (")
        assertRefused("a not matches \"x**\"", "invalid filter at line 1, column 15: invalid regular expression \"x**\": invalid nested repetition operator: **")
        assertRefused("a matches `\\1`", "invalid filter at line 1, column 11: invalid regular expression \"\\\\1\": invalid escape sequence: \\1 (backreferences are not supported)")
    }

    func testExpressionLengthLimit() throws {
        let padding = String(repeating: " ", count: FilterLimits.maxExpressionBytes - 6)
        XCTAssertNoThrow(try FilterExpression("a == b" + padding))
        assertRefused("a == b" + padding + " ", "invalid filter: the expression is 4097 bytes, over the limit of 4096")
    }

    func testNestingLimit() throws {
        let depth = FilterLimits.maxNestingDepth
        let deepest = String(repeating: "(", count: depth) + "a == b" + String(repeating: ")", count: depth)
        XCTAssertNoThrow(try FilterExpression(deepest))
        assertRefused("(" + deepest + ")", "invalid filter at line 1, column 33: parentheses and \"not\" nest deeper than 32 levels")
        XCTAssertNoThrow(try FilterExpression(String(repeating: "not ", count: depth) + "a == b"))
        assertRefused(String(repeating: "not ", count: depth + 1) + "a == b", "invalid filter at line 1, column 129: parentheses and \"not\" nest deeper than 32 levels")
        let chain = Array(repeating: "a == b", count: 300).joined(separator: " and ")
        XCTAssertNoThrow(try FilterExpression(chain), "a long chain is wide, not deep")
    }

    func testSelectorLengthLimit() throws {
        let parts = Array(repeating: "a", count: FilterLimits.maxSelectorParts)
        XCTAssertNoThrow(try FilterExpression(parts.joined(separator: ".") + " == b"))
        assertRefused((parts + ["a"]).joined(separator: ".") + " == b", "invalid filter at line 1, column 1: a selector has more than 32 parts")
    }

    func testRegexPatternLengthLimit() throws {
        let longest = String(repeating: "a", count: FilterLimits.maxRegexPatternBytes)
        XCTAssertNoThrow(try FilterExpression("x matches \"\(longest)\""))
        assertRefused("x matches \"\(longest)a\"", "invalid filter at line 1, column 11: the regular expression is 1025 bytes, over the limit of 1024")
    }
}

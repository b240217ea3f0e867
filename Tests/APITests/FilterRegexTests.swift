// Proves the RE2-syntax matcher behind `matches`: Go's syntax and errors, unanchored search over Unicode scalars, and work linear in the text even for patterns that make backtracking engines explode.
@testable import API
import XCTest

final class FilterRegexTests: XCTestCase {
    func assertMatch(_ pattern: String, _ text: String, _ expected: Bool = true, file: StaticString = #filePath, line: UInt = #line) {
        do {
            let regex = try FilterRegex(pattern)
            XCTAssertEqual(regex.hasMatch(in: text), expected, "\(pattern) on \(text.debugDescription)", file: file, line: line)
        } catch {
            XCTFail("\(pattern): \(error.message)", file: file, line: line)
        }
    }

    func assertRefused(_ pattern: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try FilterRegex(pattern)
            XCTFail("\(pattern) compiled", file: file, line: line)
        } catch {
            XCTAssertEqual(error.message, expected, file: file, line: line)
        }
    }

    func testLiteralsSearchAnywhere() {
        assertMatch("web", "my-web-1")
        assertMatch("", "")
        assertMatch("", "anything")
        assertMatch("bew", "my-web-1", false)
        assertMatch("a.c", "xabcx")
        assertMatch("a.c", "a\nc", false)
        assertMatch("a\\.c", "abc", false)
        assertMatch("a\\.c", "a.c")
    }

    func testAnchors() {
        assertMatch("^web$", "web")
        assertMatch("^web$", "webs", false)
        assertMatch("^web", "a web", false)
        assertMatch("web$", "web\n", false)  // Go's $ without (?m) is the end of the text only
        assertMatch("(?m)web$", "web\nx")
        assertMatch("(?m)^x", "web\nx")
        assertMatch("^x", "web\nx", false)
        assertMatch("\\Aweb\\z", "web")
        assertMatch("\\bweb\\b", "my web!")
        assertMatch("\\bweb\\b", "myweb", false)
        assertMatch("\\Bweb", "myweb")
        assertMatch("^$", "")
        assertMatch("^*x", "x")
    }

    func testClasses() {
        assertMatch("^[a-c]+$", "abcabc")
        assertMatch("^[a-c]+$", "abcd", false)
        assertMatch("^[^a-c]+$", "xyz")
        assertMatch("[^a-c]", "abc", false)
        assertMatch("^[]a]+$", "]a]")
        assertMatch("^[-a]+$", "-a")
        assertMatch("^[a-]+$", "a-")
        assertMatch("^[\\]\\\\]+$", "]\\")
        assertMatch("^[\\d.]+$", "10.0.0.1")
        assertMatch("^[\\D]+$", "abc")
        assertMatch("^[[:alpha:]]+$", "abcXYZ")
        assertMatch("^[[:^alpha:]]+$", "123")
        assertMatch("^[[:xdigit:]]+$", "deadBEEF")
        assertMatch("^[[a]+$", "[a[")
        assertMatch("^[\\x41-\\x43]+$", "ABC")
    }

    func testPerlAndUnicodeClasses() {
        assertMatch("^\\d+$", "8080")
        assertMatch("^\\d+$", "٣", false)  // \d is ASCII-only, as in RE2
        assertMatch("^\\w+$", "web_1")
        assertMatch("\\W", "web_1", false)
        assertMatch("^\\s$", "\t")
        assertMatch("\\S", " \n", false)
        assertMatch("^\\pL+$", "Zürich")
        assertMatch("^\\p{Lu}", "Zürich")
        assertMatch("^\\p{Lu}", "zürich", false)
        assertMatch("^\\PL+$", "123")
        assertMatch("^\\p{^L}+$", "123")
        assertMatch("^\\p{Nd}+$", "٣")
        assertMatch("^\\p{Any}$", "😀")
    }

    func testAlternationAndGroups() {
        assertMatch("^(web|api)-\\d$", "api-1")
        assertMatch("^(web|api)-\\d$", "db-1", false)
        assertMatch("^(?:web|)$", "")
        assertMatch("^(?P<name>web)$", "web")
        assertMatch("^(?<name>web)$", "web")
        assertMatch("a|b|c", "xxc")
        assertMatch("^()$", "")
    }

    func testRepetition() {
        assertMatch("^a*$", "")
        assertMatch("^a+$", "", false)
        assertMatch("^ab?c$", "ac")
        assertMatch("^a{3}$", "aaa")
        assertMatch("^a{3}$", "aaaa", false)
        assertMatch("^a{2,}$", "aaaaa")
        assertMatch("^a{2,}$", "a", false)
        assertMatch("^a{1,2}$", "aa")
        assertMatch("^a{1,2}$", "aaa", false)
        assertMatch("^a{0}$", "")
        assertMatch("^a+?b*?$", "aab")
        assertMatch("^(a*)*$", "aaa")
        assertMatch("^(a|ab)(c|bcd)(d*)$", "abcd")
        assertMatch("^a{,3}$", "a{,3}")  // not a repeat: `{` is literal, as in Go
        assertMatch("^x{$", "x{")
        assertMatch("^a{1000}$", String(repeating: "a", count: 1000))
    }

    func testFlags() {
        assertMatch("(?i)^WEB$", "web")
        assertMatch("^WEB$", "web", false)
        assertMatch("(?i)^[A-Z]+$", "Zürich", false)
        assertMatch("(?i)^[A-Z]+$", "abc")
        assertMatch("(?i)^[^a]$", "A", false)
        assertMatch("(?i)^ÉTÉ$", "été")
        assertMatch("^(?i:w)EB$", "wEB")
        assertMatch("^(?i:w)EB$", "web", false)
        assertMatch("^(?i)w(?-i)EB$", "WEB")
        assertMatch("^(?i)w(?-i)EB$", "Web", false)
        assertMatch("(?s)^a.c$", "a\nc")
        assertMatch("(?U)^a+$", "aaa")
        assertMatch("^(a(?i)b)c$", "aBc")
        assertMatch("^(a(?i)b)c$", "aBC", false)
    }

    func testEscapes() {
        assertMatch("^\\x41\\x{263A}$", "A☺")
        assertMatch("^\\101\\0$", "A\u{0}")
        assertMatch("^\\t\\n\\r\\f\\v\\a$", "\t\n\r\u{0C}\u{0B}\u{07}")
        assertMatch("^\\Q.*+\\E$", ".*+")
        assertMatch("^\\Q.*+\\Ex$", ".*+x")
        assertMatch("^\\Qab\\E*$", "abbb")  // the repetition applies to the last quoted character
        assertMatch("^\\Q(", "(x")
        assertMatch("^\\-\\_\\ \\#$", "-_ #")
    }

    func testMatchingIsOverUnicodeScalars() {
        assertMatch("^.$", "é")
        assertMatch("^.$", "e\u{301}", false)
        assertMatch("^..$", "e\u{301}")
        assertMatch("^.$", "😀")
        assertMatch("é", "cafe\u{301}", false)
    }

    func testSyntaxErrorsUseGoWording() {
        assertRefused("(", "missing closing ): (")
        assertRefused("a(b", "missing closing ): (b")
        assertRefused(")", "unexpected ): )")
        assertRefused("a)b", "unexpected ): a)b")
        assertRefused("[a", "missing closing ]: [a")
        assertRefused("[]", "missing closing ]: []")
        assertRefused("[z-a]", "invalid character class range: z-a")
        assertRefused("[a-\\d]", "invalid character class range: a-")
        assertRefused("[[:foo:]]", "invalid character class range: [:foo:]")
        assertRefused("\\q", "invalid escape sequence: \\q")
        assertRefused("[\\b]", "invalid escape sequence: \\b")
        assertRefused("\\8", "invalid escape sequence: \\8")
        assertRefused("\\1", "invalid escape sequence: \\1 (backreferences are not supported)")
        assertRefused("\\x{110000}", "invalid escape sequence: \\x{110000}")
        assertRefused("\\xZ", "invalid escape sequence: \\x")
        assertRefused("a\\", "trailing backslash at end of expression")
        assertRefused("\\p{Greek}", "invalid character class range: \\p{Greek} (general categories such as \\pL and \\p{Lu} are supported, scripts are not)")
        assertRefused("*a", "missing argument to repetition operator: *")
        assertRefused("{2}", "missing argument to repetition operator: {")
        assertRefused("(?i)+", "missing argument to repetition operator: +")
        assertRefused("a**", "invalid nested repetition operator: **")
        assertRefused("a+?+", "invalid nested repetition operator: +?+")
        assertRefused("a{2}{3}", "invalid nested repetition operator: {2}{3}")
        assertRefused("a{1001}", "invalid repeat count: {1001}")
        assertRefused("a{3,2}", "invalid repeat count: {3,2}")
        assertRefused("(?=a)", "invalid or unsupported Perl syntax: (?=")
        assertRefused("(?<!a)", "invalid or unsupported Perl syntax: (?<")
        assertRefused("(?P=n)", "invalid or unsupported Perl syntax: (?P")
        assertRefused("(?x)", "invalid or unsupported Perl syntax: (?x")
        assertRefused("(?)", "invalid or unsupported Perl syntax: (?)")
        assertRefused("(?i-)", "invalid or unsupported Perl syntax: (?i-)")
        assertRefused("(?P<>a)", "invalid named capture: (?P<>")
        assertRefused("(?i", "missing closing ): (?i")
    }

    func testProgramAndNestingLimits() {
        assertRefused("(a{1000}){1000}", "expression too large: more than 4096 instructions")
        assertRefused("a{1000}b{1000}c{1000}d{1000}e{1000}", "expression too large: more than 4096 instructions")
        let deepest = String(repeating: "(", count: FilterLimits.maxRegexNestingDepth) + "a" + String(repeating: ")", count: FilterLimits.maxRegexNestingDepth)
        assertMatch(deepest, "a")
        assertRefused("(" + deepest + ")", "groups nest deeper than 64 levels")
    }

    /// `(a+)+$` on "aaa…ab" takes exponential time in a backtracking engine. Here every scalar costs
    /// at most one visit per instruction, which this counts instead of timing the run.
    func testWorkIsLinearInTheText() throws {
        for pattern in ["(a+)+$", "^(a|a)*$", "^(a*)*$", "^a*a*a*a*a*a*a*a*a*a*$", "(x+x+)+y"] {
            let regex = try FilterRegex(pattern)
            let text = String(repeating: pattern.hasPrefix("(x") ? "x" : "a", count: 5000) + "b"
            var search = FilterRegexSearch(program: regex.program)
            XCTAssertFalse(search.run(text.unicodeScalars), pattern)
            XCTAssertLessThanOrEqual(search.visits, regex.program.count * (text.unicodeScalars.count + 1) * 2, pattern)
        }
    }
}

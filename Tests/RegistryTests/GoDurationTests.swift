// Proves Go-style duration parsing and formatting as Consul clients and config files write them.
import Registry
import XCTest

final class GoDurationTests: XCTestCase {
    func testParsesGoDurations() {
        let cases: [(String, Int64)] = [
            ("0", 0), ("10s", 10_000_000_000), ("1m30s", 90_000_000_000), ("100ms", 100_000_000),
            ("0.001s", 1_000_000), ("1.5h", 5_400_000_000_000), ("2us", 2_000), ("2µs", 2_000), ("7ns", 7),
            ("-5s", -5_000_000_000), ("1h2m3s4ms", 3_723_004_000_000),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(GoDuration.parseNanoseconds(text), expected, text)
        }
    }

    func testRejectsMalformedDurations() {
        for bad in ["", "s", "10", "10x", "1..5s", ".s", "ten seconds", "10 s", "-", "99999999999h"] {
            XCTAssertNil(GoDuration.parseNanoseconds(bad), bad)
        }
    }

    func testFormatsLikeGo() {
        XCTAssertEqual(GoDuration.format(nanoseconds: 0), "0s")
        XCTAssertEqual(GoDuration.format(nanoseconds: 10_000_000_000), "10s")
        XCTAssertEqual(GoDuration.format(nanoseconds: 90_000_000_000), "1m30s")
        XCTAssertEqual(GoDuration.format(nanoseconds: 3_600_000_000_000), "1h0m0s")
        XCTAssertEqual(GoDuration.format(nanoseconds: 100_000_000), "100ms")
        XCTAssertEqual(GoDuration.format(nanoseconds: 1_500_000_000), "1.5s")
    }

    func testFormatsFractionsExactlyLikeGo() {
        XCTAssertEqual(GoDuration.format(nanoseconds: 1_500), "1.5µs")
        XCTAssertEqual(GoDuration.format(nanoseconds: 1_000_001), "1.000001ms")
        XCTAssertEqual(GoDuration.format(nanoseconds: 60_000_000_001), "1m0.000000001s")
        XCTAssertEqual(GoDuration.format(nanoseconds: -1_250_000_000), "-1.25s")
        XCTAssertEqual(GoDuration.format(nanoseconds: Int64.max), "2562047h47m16.854775807s")
        XCTAssertEqual(GoDuration.format(nanoseconds: Int64.min), "-2562047h47m16.854775808s")
    }
}

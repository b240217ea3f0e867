// Proves that every fixture gives its expected events, and the same events however its bytes are split.
import HTTP
import XCTest

final class ParserFixtureTests: XCTestCase {
    private let fixtures = ParserFixtures.valid + ParserFixtures.invalid

    func testValidFixturesFedWhole() {
        for fixture in ParserFixtures.valid {
            let events = Harness.renderedEvents([fixture.input[...]], limits: fixture.limits)
            XCTAssertEqual(events, fixture.expected, fixture.name)
            XCTAssertFalse(events.contains { $0.first.map { "45".contains($0) } ?? false }, fixture.name)
        }
    }

    func testInvalidFixturesFedWhole() {
        for fixture in ParserFixtures.invalid {
            let events = Harness.renderedEvents([fixture.input[...]], limits: fixture.limits)
            XCTAssertEqual(events, fixture.expected, fixture.name)
            XCTAssertTrue(events.last.map { !$0.hasPrefix("100") && $0.first.map { "45".contains($0) } == true } ?? false,
                          "\(fixture.name) must end in an error")
        }
    }

    func testFixtureNamesAreUnique() {
        XCTAssertEqual(Set(fixtures.map(\.name)).count, fixtures.count)
    }

    /// Two pieces, cut before every byte (including the empty first and last piece).
    func testEveryFixtureSplitInTwoAtEveryByte() {
        for fixture in fixtures {
            let whole = Harness.withoutContinue(fixture.expected)
            for cut in 0...fixture.input.count {
                let pieces = [fixture.input[..<cut], fixture.input[cut...]]
                let events = Harness.renderedEvents(pieces, limits: fixture.limits)
                XCTAssertEqual(Harness.withoutContinue(events), whole, "\(fixture.name), cut at \(cut)")
                checkContinue(events, fixture, split: "cut at \(cut)")
            }
        }
    }

    func testEveryFixtureFedOneByteAtATime() {
        for fixture in fixtures {
            let pieces = fixture.input.indices.map { fixture.input[$0..<($0 + 1)] }
            let events = Harness.renderedEvents(pieces, limits: fixture.limits)
            XCTAssertEqual(Harness.withoutContinue(events), Harness.withoutContinue(fixture.expected), fixture.name)
            checkContinue(events, fixture, split: "byte by byte")
        }
    }

    /// "100-continue" appears only for a request that asked for it, at most once, and is followed
    /// by nothing but that request or an error.
    private func checkContinue(_ events: [String], _ fixture: Fixture, split: String) {
        let asked = String(decoding: fixture.input, as: UTF8.self).lowercased().contains("expect: 100-continue")
        for (index, event) in events.enumerated() where event == "100-continue" {
            XCTAssertTrue(asked, "\(fixture.name) \(split): unexpected 100-continue")
            if index + 1 < events.count {
                XCTAssertNotEqual(events[index + 1], "100-continue", "\(fixture.name) \(split): two 100-continue")
            }
        }
    }
}

// RFC 3339 times from Unix milliseconds, across leap years and centuries.
@testable import API
import XCTest

final class TimestampTests: XCTestCase {
    func testKnownInstants() {
        XCTAssertEqual(Timestamp.iso8601(milliseconds: 0), "1970-01-01T00:00:00.000Z")
        XCTAssertEqual(Timestamp.iso8601(milliseconds: 1_700_000_000_000), "2023-11-14T22:13:20.000Z")
        XCTAssertEqual(Timestamp.iso8601(milliseconds: 951_782_400_123), "2000-02-29T00:00:00.123Z")
        XCTAssertEqual(Timestamp.iso8601(milliseconds: 4_107_542_399_999), "2100-02-28T23:59:59.999Z")
        XCTAssertEqual(Timestamp.iso8601(milliseconds: 4_107_542_400_000), "2100-03-01T00:00:00.000Z")
    }

    func testEveryDayOfFourCenturiesFollowsTheCalendar() {
        var (year, month, day): (Int64, Int64, Int64) = (1970, 1, 1)
        for days in 0..<Int64(146_097) {
            let date = Timestamp.civilDate(daysSinceEpoch: days)
            XCTAssertTrue(date == (year, month, day), "day \(days): \(date)")
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let length: Int64 = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(month - 1)]
            day += 1
            if day > length { day = 1; month += 1 }
            if month > 12 { month = 1; year += 1 }
        }
    }
}

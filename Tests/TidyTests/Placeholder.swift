import XCTest

final class PlaceholderTidyTests: XCTestCase { func testNothing() {} }

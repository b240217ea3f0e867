import XCTest

final class PlaceholderServerTests: XCTestCase { func testNothing() {} }

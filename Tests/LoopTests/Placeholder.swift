import XCTest

final class PlaceholderLoopTests: XCTestCase { func testNothing() {} }

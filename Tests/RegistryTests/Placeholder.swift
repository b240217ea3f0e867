import XCTest

final class PlaceholderRegistryTests: XCTestCase { func testNothing() {} }

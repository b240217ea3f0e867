// Proves that a metadata filter splits at the first ':' whatever follows it, even a combining
// mark that makes ':' part of a larger Character.
@testable import API
import XCTest

final class DiscoveryQueryTests: XCTestCase {
    func testMetadataFilterSplitsAtTheFirstColon() {
        for (text, key, value) in [("region:eu", "region", "eu"), ("url:http://x:1", "url", "http://x:1"), ("empty:", "empty", "")] {
            let filter = DiscoveryServicesEndpoint.metadataFilter(text)
            XCTAssertEqual(filter?.key, key, text)
            XCTAssertEqual(filter?.value, value, text)
        }
        XCTAssertNil(DiscoveryServicesEndpoint.metadataFilter(":eu"))
        XCTAssertNil(DiscoveryServicesEndpoint.metadataFilter("region"))
    }

    func testMetadataFilterFindsAColonThatStartsAGraphemeCluster() {
        // ':' then U+1F3FB (a skin-tone modifier) is one Character; the filter still splits there.
        let filter = DiscoveryServicesEndpoint.metadataFilter("tone:\u{1F3FB}")
        XCTAssertEqual(filter?.key, "tone")
        XCTAssertEqual(filter?.value, "\u{1F3FB}")
        // A combining acute accent after the ':' likewise.
        XCTAssertEqual(DiscoveryServicesEndpoint.metadataFilter("k:\u{301}v")?.value, "\u{301}v")
    }
}

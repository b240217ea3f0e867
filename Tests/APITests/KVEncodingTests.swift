// Proves the KV endpoint's encodings: base64 as Go's StdEncoding writes and reads it, and the
// query text of Consul's "Conflicting flags" message as Go's url.Values.Encode writes it.
@testable import API
import HTTP
import XCTest

final class KVEncodingTests: XCTestCase {
    func testBase64MatchesRFC4648Vectors() {
        let vectors = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(Array(plain.utf8)), encoded, plain)
            XCTAssertEqual(Base64.decode(encoded), Array(plain.utf8), encoded)
        }
    }

    func testBase64RoundTripsEveryByte() {
        let bytes = (0...255).map(UInt8.init)
        for length in 0...bytes.count {
            let slice = Array(bytes.prefix(length))
            XCTAssertEqual(Base64.decode(Base64.encode(slice)), slice)
        }
    }

    func testBase64DecodeIsStrictAboutTheAlphabetAndPadding() {
        XCTAssertNil(Base64.decode("Zm9v!"), "outside the alphabet")
        XCTAssertNil(Base64.decode("Zg=a"), "data after padding")
        XCTAssertNil(Base64.decode("Z"), "one digit cannot hold a byte")
        XCTAssertNil(Base64.decode("Zg==="), "too much padding")
        XCTAssertEqual(Base64.decode("Zm9v\r\nYmFy"), Array("foobar".utf8), "line breaks are skipped, as in Go")
        XCTAssertEqual(Base64.decode("Zg"), Array("f".utf8), "unpadded input is accepted")
    }

    func testConflictingFlagsQueryIsSortedAndEscapedLikeGo() {
        let items = [HTTPQueryItem(name: "cas", value: "0"), HTTPQueryItem(name: "acquire", value: "a b/c"), HTTPQueryItem(name: "acquire", value: "~x")]
        XCTAssertEqual(KVQueryParameters.encodedQuery(items), "acquire=a+b%2Fc&acquire=~x&cas=0")
        XCTAssertEqual(KVQueryParameters.queryEscape("é"), "%C3%A9")
    }
}

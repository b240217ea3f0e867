// Proves request-body field reads behave like Go's encoding/json on Consul's structs: keys match
// case-insensitively with aliases, null is "not given", durations take strings or nanoseconds,
// and a wrong type is a 400 whose text names the field.
@testable import API
import Registry
import XCTest

final class BodyFieldsTests: XCTestCase {
    func fields(_ text: String) throws -> BodyFields {
        try BodyFields(try JSONParser.parse(Array(text.utf8)), path: "Thing", goType: "structs.Thing")
    }

    func message(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch let error as APIError {
            XCTAssertEqual(error.status, .badRequest)
            return error.message
        } catch {
            return "\(error)"
        }
    }

    func testKeysMatchIgnoringCaseAndAliasesInOrder() throws {
        let body = try fields(#"{"name":"a","ENABLETAGOVERRIDE":true,"tagged_addresses":{"lan":{}}}"#)
        XCTAssertEqual(try body.string("Name"), "a")
        XCTAssertEqual(try body.bool("EnableTagOverride", "enable_tag_override"), true)
        XCTAssertTrue(body.has("TaggedAddresses", "tagged_addresses"))
        XCTAssertNil(try body.string("Missing"))
    }

    /// BodyFields folds member names once and compares folded keys; what it finds must be what
    /// `JSON`'s subscript finds (the last exact match, else the last match ignoring case, with
    /// Unicode lowercasing of the members' names), for every body and key here. Keys are field
    /// names, which are ASCII.
    func testFoldedLookupFindsWhatTheSubscriptFinds() throws {
        let bodies = [
            #"{"name": "a", "Name": "b", "ID": "c", "id": "d"}"#,
            #"{"NAME": "a", "name": "b"}"#,
            #"{"tag": "a", "Tags": "b", "TAGS": "c"}"#,
            #"{"a[": "a", "A{": "b"}"#,
            "{\"\u{212A}ind\": \"a\", \"ÉTAT\": \"b\", \"\u{212A}\": \"c\"}",
            #"{"xTAT": "a", "Aé": "b", "[é": "c", "": "d"}"#,
        ]
        let keys = ["Name", "NAME", "name", "ID", "Id", "id", "Tags", "tag", "TAG", "A{", "a[", "Kind", "KIND", "k", "K",
                    "Xtat", "XTAT", "", "Missing"]
        for text in bodies {
            let body = try fields(text)
            for key in keys {
                let expected: String?
                if case .string(let value)? = body.json[key] { expected = value } else { expected = nil }
                XCTAssertEqual(try body.string(key), expected, "\(key) in \(text)")
            }
        }
    }

    func testNullMeansNotGiven() throws {
        let body = try fields(#"{"Name":null,"Tags":null,"Port":null,"Check":null}"#)
        XCTAssertNil(try body.string("Name"))
        XCTAssertNil(try body.strings("Tags"))
        XCTAssertNil(try body.int("Port"))
        XCTAssertNil(try body.object("Check"))
        XCTAssertEqual(try BodyFields(.null, path: "Thing", goType: "structs.Thing").json, .object([]))
    }

    func testWrongTypesNameTheFieldAsGoDoes() throws {
        let body = try fields(#"{"Port":"80","Name":5,"Tags":[1],"Meta":[],"Flag":"true","Size":1.5,"Big":1e30}"#)
        XCTAssertEqual(message { _ = try body.int("Port") },
                       "Request decode failed: json: cannot unmarshal string into Go struct field Thing.Port of type int")
        XCTAssertEqual(message { _ = try body.string("Name") },
                       "Request decode failed: json: cannot unmarshal number into Go struct field Thing.Name of type string")
        XCTAssertEqual(message { _ = try body.strings("Tags") },
                       "Request decode failed: json: cannot unmarshal number into Go struct field Thing.Tags of type string")
        XCTAssertEqual(message { _ = try body.stringMap("Meta") },
                       "Request decode failed: json: cannot unmarshal array into Go struct field Thing.Meta of type map[string]string")
        XCTAssertEqual(message { _ = try body.bool("Flag") },
                       "Request decode failed: json: cannot unmarshal string into Go struct field Thing.Flag of type bool")
        XCTAssertEqual(message { _ = try body.int("Size") },
                       "Request decode failed: json: cannot unmarshal number 1.5 into Go struct field Thing.Size of type int")
        XCTAssertNotNil(message { _ = try body.int("Big") })
        XCTAssertEqual(message { _ = try self.fields("[]") },
                       "Request decode failed: json: cannot unmarshal array into Go value of type structs.Thing")
    }

    func testNestedFieldsCarryTheirPath() throws {
        let body = try fields(#"{"Check":{"Definition":{"Interval":false}},"Checks":[{"TTL":"x"}]}"#)
        let definition = try XCTUnwrap(try body.object("Check")?.object("Definition"))
        XCTAssertEqual(message { _ = try definition.duration("Interval") },
                       "Request decode failed: json: cannot unmarshal bool into Go struct field Thing.Check.Definition.Interval of type time.Duration")
        let item = try XCTUnwrap(try body.objects("Checks")?.first)
        XCTAssertEqual(message { _ = try item.duration("TTL") }, #"Request decode failed: time: invalid duration "x" in Thing.Checks.TTL"#)
    }

    func testDurationsAreGoStringsOrNanoseconds() throws {
        let body = try fields(#"{"A":"1m30s","B":1500000000,"C":2.5e9,"D":"100ms","E":"0"}"#)
        XCTAssertEqual(try body.duration("A"), 90_000_000_000)
        XCTAssertEqual(try body.duration("B"), 1_500_000_000)
        XCTAssertEqual(try body.duration("C"), 2_500_000_000)
        XCTAssertEqual(try body.duration("D"), 100_000_000)
        XCTAssertEqual(try body.duration("E"), 0)
    }

    func testCollections() throws {
        let body = try fields(#"{"Tags":["a",null,"b"],"Header":{"X-A":["1","2"],"X-B":null},"Addrs":{"lan":{"Port":1},"wan":null}}"#)
        XCTAssertEqual(try body.strings("Tags"), ["a", "", "b"])
        XCTAssertEqual(try body.stringListMap("Header"), ["X-A": ["1", "2"], "X-B": []])
        let addresses = try XCTUnwrap(try body.objectMap("Addrs"))
        XCTAssertEqual(addresses.map(\.0), ["lan", "wan"])
        XCTAssertEqual(try addresses[0].1.int("port"), 1)
        XCTAssertEqual(message { _ = try self.fields(#"{"Header":{"X":"1"}}"#).stringListMap("Header") },
                       "Request decode failed: json: cannot unmarshal string into Go struct field Thing.Header of type []string")
    }

    func testValidationErrorsBecome400WithTheirMessage() {
        XCTAssertEqual(message {
            try BodyFields.validated { () throws(ValidationError) in try Weights(passing: 0, warning: 1).validate() }
        }, "Invalid Weights: Passing must be greater than 0")
    }

    func testGoQuoting() {
        XCTAssertEqual(BodyFields.goQuoted("a\"b\\c\nd"), #""a\"b\\c\nd""#)
    }
}

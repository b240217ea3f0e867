// Proves health aggregation as consul-api.md §1.10 states it (maintenance, critical, warning, passing; none is passing) and Indexed's indexes.
import Registry
import XCTest

final class HealthStatusTests: XCTestCase {
    func check(_ id: String, _ status: HealthStatus) -> Check {
        Check(node: "n", checkID: id, name: id, status: status)
    }

    func testAggregationOrder() {
        XCTAssertEqual(HealthStatus.aggregate([Check]()), .passing)
        XCTAssertEqual(HealthStatus.aggregate([HealthStatus]()), .passing)
        XCTAssertEqual(HealthStatus.aggregate([check("a", .passing), check("b", .passing)]), .passing)
        XCTAssertEqual(HealthStatus.aggregate([check("a", .passing), check("b", .warning)]), .warning)
        XCTAssertEqual(HealthStatus.aggregate([check("a", .warning), check("b", .critical), check("c", .passing)]), .critical)
        XCTAssertEqual(HealthStatus.aggregate([.warning, .passing]), .warning)
        XCTAssertEqual(HealthStatus.aggregate([.critical, .warning]), .critical)
    }

    func testMaintenanceWinsWhateverItsStatus() {
        XCTAssertEqual(HealthStatus.aggregate([check("a", .critical), check("_node_maintenance", .passing)]), .maintenance)
        XCTAssertEqual(HealthStatus.aggregate([check("_service_maintenance:web-1", .critical)]), .maintenance)
        XCTAssertEqual(HealthStatus.aggregate([check("_service_maintenance", .warning)]), .warning, "the prefix includes the colon")
        XCTAssertEqual(HealthStatus.aggregate([check("x_node_maintenance", .passing)]), .passing)
        XCTAssertEqual(AggregatedStatus.allCases.map(\.rawValue), ["passing", "warning", "critical", "maintenance"])
    }

    func testIndexedCarriesCreateAndModifyIndex() {
        let entry = Indexed(value: KVEntry(key: "k"), createIndex: 3, modifyIndex: 9)
        XCTAssertEqual(entry, Indexed(value: KVEntry(key: "k"), createIndex: 3, modifyIndex: 9))
        XCTAssertNotEqual(entry, Indexed(value: KVEntry(key: "k"), createIndex: 3, modifyIndex: 10))
        XCTAssertEqual(entry.value.key, "k")
    }
}

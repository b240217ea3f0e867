/// Migration 5: a node's service names in order, without a sort. A node-level change (a node
/// update, a server going silent or coming back, a node check's status) touches every service
/// name on the node; with the names read from the primary key (node, id) and sorted, a node
/// with 300,000 instances held every replica's loop for some 200 ms per such command. With this
/// index, `StateReader.serviceNames(onNode:)` seeks once per distinct name.
/// Released SQL: never edit it; append a migration.
extension StateSchema {
    static let version5 = """
        CREATE INDEX services_by_node_name ON services(node, name);
        """
}

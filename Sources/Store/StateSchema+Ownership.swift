/// Migration 4: which server runs a server node's checks while that node's own server is
/// unreachable (`Command.nodeLiveness`, issue 5). A node with no row is run by its own server.
/// Released SQL: never edit it; append a migration.
extension StateSchema {
    static let version4 = """
        CREATE TABLE check_owners(
            node TEXT PRIMARY KEY,
            owner TEXT NOT NULL,
            modify_index INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        """
}

import ArgumentParser
import Foundation

/// `gravity catalog services|nodes`, printing what Consul's `consul catalog` prints.
struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "List the catalog's services and nodes through an agent's HTTP API.",
        subcommands: [CatalogServicesCommand.self, CatalogNodesCommand.self])
}

struct CatalogServicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "services",
        abstract: "List service names, one per line (with -tags, a table of names and tags).")

    @OptionGroup var http: HTTPOptions

    @Flag(name: consulName("tags"), help: "Show each service's tags.")
    var tags = false

    func run() throws {
        try CLIOutput.run { () throws(CLIError) in
            try Self.output(http.client().send("GET", "/v1/catalog/services"), tags: tags)
        }
    }

    /// Names sorted by bytes; Consul's message (on standard error, exit 0) when there are none.
    static func output(_ response: ClientResponse, tags: Bool) throws(CLIError) -> [UInt8] {
        guard response.status == 200 else { throw CLIError("Error listing services: " + CLIOutput.unexpected(response)) }
        let services = try CLIOutput.decode([String: [String]?].self, from: response)
        guard !services.isEmpty else {
            CLIOutput.writeError("No services match the given query - try expanding your search.")
            return []
        }
        let names = services.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard tags else { return Array(names.map { $0 + "\n" }.joined().utf8) }
        let rows = names.map { [$0, ((services[$0] ?? nil) ?? []).sorted().joined(separator: ",")] }
        return Array(CLIOutput.table(rows).utf8)
    }
}

/// One node of `GET /v1/catalog/nodes`.
struct CatalogNode: Decodable {
    let id: String?
    let node: String
    let address: String
    let datacenter: String?

    enum CodingKeys: String, CodingKey {
        case id = "ID"
        case node = "Node"
        case address = "Address"
        case datacenter = "Datacenter"
    }
}

struct CatalogNodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "List nodes as a table: Node, ID (first 8 characters), Address, DC.")

    @OptionGroup var http: HTTPOptions

    func run() throws {
        try CLIOutput.run { () throws(CLIError) in
            try Self.output(http.client().send("GET", "/v1/catalog/nodes"))
        }
    }

    static func output(_ response: ClientResponse) throws(CLIError) -> [UInt8] {
        guard response.status == 200 else { throw CLIError("Error listing nodes: " + CLIOutput.unexpected(response)) }
        let nodes = try CLIOutput.decode([CatalogNode].self, from: response)
        guard !nodes.isEmpty else {
            CLIOutput.writeError("No nodes match the given query - try expanding your search.")
            return []
        }
        let rows = [["Node", "ID", "Address", "DC"]] + nodes.map { node in
            [node.node, String((node.id ?? "").prefix(8)), node.address, node.datacenter ?? ""]
        }
        return Array(CLIOutput.table(rows).utf8)
    }
}

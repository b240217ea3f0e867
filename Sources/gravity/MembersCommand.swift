import ArgumentParser
import Foundation

/// One member of `GET /v1/agent/members`.
struct AgentMember: Decodable {
    let name: String
    let addr: String
    let port: Int
    let tags: [String: String]?
    let status: Int

    enum CodingKeys: String, CodingKey {
        case name = "Name"
        case addr = "Addr"
        case port = "Port"
        case tags = "Tags"
        case status = "Status"
    }
}

/// `gravity members`: the cluster's members as Consul's `consul members` prints them.
struct MembersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "members",
        abstract: "List the cluster's members: Node, Address, Status, Type, Build, Protocol, DC, Partition, Segment.")

    @OptionGroup var http: HTTPOptions

    func run() throws {
        try CLIOutput.run { () throws(CLIError) in
            try Self.output(http.client().send("GET", "/v1/agent/members"))
        }
    }

    static func output(_ response: ClientResponse) throws(CLIError) -> [UInt8] {
        guard response.status == 200 else { throw CLIError("Error retrieving members: " + CLIOutput.unexpected(response)) }
        let members = try CLIOutput.decode([AgentMember].self, from: response)
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        let header = ["Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Partition", "Segment"]
        return Array(CLIOutput.table([header] + members.map(row)).utf8)
    }

    /// Serf's member fields and tags as Consul's table shows them.
    static func row(_ member: AgentMember) -> [String] {
        let tags = member.tags ?? [:]
        let isServer = tags["role"] == "consul"
        let build = tags["build"].map { String($0.prefix { $0 != ":" }) } ?? ""
        let segment = isServer ? "<all>" : (tags["segment"].flatMap { $0.isEmpty ? nil : $0 } ?? "<default>")
        let address = member.addr.contains(":") ? "[\(member.addr)]:\(member.port)" : "\(member.addr):\(member.port)"
        return [member.name, address, statusName(member.status), isServer ? "server" : "client", build,
                tags["vsn"] ?? "", tags["dc"] ?? "", "default", segment]
    }

    /// Serf's member status numbers.
    static func statusName(_ status: Int) -> String {
        switch status {
        case 1: "alive"
        case 2: "leaving"
        case 3: "left"
        case 4: "failed"
        default: "none"
        }
    }
}

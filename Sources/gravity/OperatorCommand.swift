import ArgumentParser
import Foundation

/// `gravity operator raft ...`: the Raft cluster, as `consul operator raft` shows and changes it.
struct OperatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator",
        abstract: "Cluster-level operations.",
        subcommands: [RaftCommand.self])

    struct RaftCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "raft",
            abstract: "List the Raft servers, remove one, or hand leadership over.",
            subcommands: [ListPeers.self, RemovePeer.self, TransferLeader.self])
    }

    /// One server of `GET /v1/operator/raft/configuration`.
    struct RaftServer: Decodable {
        let id: String
        let node: String
        let address: String
        let leader: Bool
        let voter: Bool
        let protocolVersion: String

        enum CodingKeys: String, CodingKey {
            case id = "ID", node = "Node", address = "Address", leader = "Leader", voter = "Voter", protocolVersion = "ProtocolVersion"
        }
    }

    struct RaftConfiguration: Decodable {
        let servers: [RaftServer]
        enum CodingKeys: String, CodingKey { case servers = "Servers" }
    }

    struct ListPeers: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list-peers",
            abstract: "List the Raft servers: Node, ID, Address, State, Voter, RaftProtocol.")

        @OptionGroup var http: HTTPOptions
        @Flag(name: consulName("stale"), help: "Let any server answer, even without a leader.")
        var stale = false

        func run() throws {
            try CLIOutput.run { () throws(CLIError) in
                try Self.output(http.client().send("GET", "/v1/operator/raft/configuration" + (stale ? "?stale" : "")))
            }
        }

        static func output(_ response: ClientResponse) throws(CLIError) -> [UInt8] {
            guard response.status == 200 else { throw CLIError("Error getting peers: " + CLIOutput.unexpected(response)) }
            let servers = try CLIOutput.decode(RaftConfiguration.self, from: response).servers
            let rows = servers.map { server in
                [server.node, server.id, server.address, server.leader ? "leader" : "follower", String(server.voter), server.protocolVersion]
            }
            return Array(CLIOutput.table([["Node", "ID", "Address", "State", "Voter", "RaftProtocol"]] + rows).utf8)
        }
    }

    struct RemovePeer: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-peer",
            abstract: "Remove a server from the Raft configuration, by -address=IP:port or -id=ID.")

        @OptionGroup var http: HTTPOptions
        @Option(name: consulName("address"), help: "The server's peer address, IP:port.")
        var address: String?
        @Option(name: consulName("id"), help: "The server's ID, as list-peers shows it.")
        var id: String?

        func run() throws {
            try CLIOutput.run { () throws(CLIError) in
                guard (address == nil) != (id == nil) else { throw CLIError("Error removing peer: Exactly one of -address or -id is required") }
                let query = address.map { "address=" + Self.escape($0) } ?? "id=" + Self.escape(id!)
                return try Self.output(http.client().send("DELETE", "/v1/operator/raft/peer?" + query), address: address, id: id)
            }
        }

        static func output(_ response: ClientResponse, address: String?, id: String?) throws(CLIError) -> [UInt8] {
            guard response.status == 200 else { throw CLIError("Error removing peer: " + CLIOutput.unexpected(response)) }
            let what = address.map { "address \"\($0)\"" } ?? "id \"\(id ?? "")\""
            return Array("Removed peer with \(what)\n".utf8)
        }

        static func escape(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~:[]"))) ?? text
        }
    }

    struct TransferLeader: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "transfer-leader",
            abstract: "Hand leadership to another server (-id=ID), or to the most caught-up one.")

        @OptionGroup var http: HTTPOptions
        @Option(name: consulName("id"), help: "The server to hand leadership to, as list-peers shows its ID.")
        var id: String?

        func run() throws {
            try CLIOutput.run { () throws(CLIError) in
                let query = id.map { "?id=" + RemovePeer.escape($0) } ?? ""
                return try Self.output(http.client().send("POST", "/v1/operator/raft/transfer-leader" + query))
            }
        }

        static func output(_ response: ClientResponse) throws(CLIError) -> [UInt8] {
            guard response.status == 200 else { throw CLIError("Error transferring leadership: " + CLIOutput.unexpected(response)) }
            return Array("Success\n".utf8)
        }
    }
}

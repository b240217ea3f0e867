import Agent
import ArgumentParser

/// The `gravity` command line. Agent flags follow Consul's single-dash spelling (`-http-port`);
/// the double-dash spelling works too.
@main
struct Gravity: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gravity",
        abstract: "Gravity: a service registry with a Consul-compatible API, its own Raft and SQLite.",
        version: Agent.version,
        subcommands: [AgentCommand.self, KVCommand.self, CatalogCommand.self, MembersCommand.self, OperatorCommand.self, VersionCommand.self])
}

/// Both spellings of a long flag: Consul's `-name` and the usual `--name`.
func consulName(_ name: String) -> NameSpecification {
    [.customLong(name, withSingleDash: true), .customLong(name)]
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print the version of Gravity and of the C libraries it runs on.")

    func run() {
        for (name, version) in Versions.summary { print("\(name) \(version)") }
    }
}

import ArgumentParser
import Foundation

/// `gravity kv get|put|delete`, printing what Consul's `consul kv` prints.
struct KVCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kv",
        abstract: "Read, write and delete keys of the KV store through an agent's HTTP API.",
        subcommands: [KVGetCommand.self, KVPutCommand.self, KVDeleteCommand.self])
}

/// Paths of the KV endpoint.
enum KVPath {
    /// `/v1/kv/<key>` with the key percent-encoded except for '/', and an optional query.
    /// A leading '/' is dropped, as Consul's CLI drops it: keys never start with one.
    static func path(_ key: String, query: String = "") -> String {
        let trimmed = key.hasPrefix("/") ? String(key.dropFirst()) : key
        return "/v1/kv/" + escape(trimmed) + (query.isEmpty ? "" : "?" + query)
    }

    /// RFC 3986 unreserved characters and '/' stay, every other byte is `%XX`.
    static func escape(_ key: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A key as Consul's CLI shows it in messages (without a leading '/').
    static func display(_ key: String) -> String {
        key.hasPrefix("/") ? String(key.dropFirst()) : key
    }
}

/// One entry of `GET /v1/kv/<prefix>?recurse`.
struct KVPair: Decodable, Equatable {
    let key: String
    let value: String?

    enum CodingKeys: String, CodingKey {
        case key = "Key"
        case value = "Value"
    }
}

struct KVGetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print the value of a key, or every key:value under a prefix with -recurse.",
        discussion: """
            Prints the raw value followed by a newline. A missing key is an error (exit 1);
            with -recurse, nothing under the prefix prints nothing.

            Examples: gravity kv get app/config
                      gravity kv get -recurse app/
            """)

    @OptionGroup var http: HTTPOptions

    @Flag(name: consulName("recurse"), help: "Print every key under the prefix, as key:value lines.")
    var recurse = false

    @Argument(help: "The key, or the prefix with -recurse (empty: the whole store).")
    var key = ""

    func run() throws {
        try CLIOutput.run { () throws(CLIError) in
            let client = try http.client()
            if recurse {
                return try Self.recurseOutput(client.send("GET", KVPath.path(key, query: "recurse")))
            }
            return try Self.valueOutput(client.send("GET", KVPath.path(key, query: "raw")), key: key)
        }
    }

    /// The value and a newline; Consul's texts for a missing key and other failures.
    static func valueOutput(_ response: ClientResponse, key: String) throws(CLIError) -> [UInt8] {
        switch response.status {
        case 200: return response.body + [UInt8(ascii: "\n")]
        case 404: throw CLIError("Error! No key exists at: \(KVPath.display(key))")
        default: throw CLIError("Error querying Consul agent: " + CLIOutput.unexpected(response))
        }
    }

    /// `key:value` lines, values decoded from base64.
    static func recurseOutput(_ response: ClientResponse) throws(CLIError) -> [UInt8] {
        switch response.status {
        case 404: return []
        case 200: break
        default: throw CLIError("Error querying Consul agent: " + CLIOutput.unexpected(response))
        }
        var out: [UInt8] = []
        for pair in try CLIOutput.decode([KVPair].self, from: response) {
            let value = pair.value.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? []
            out += Array(pair.key.utf8) + [UInt8(ascii: ":")] + value + [UInt8(ascii: "\n")]
        }
        return out
    }
}

struct KVPutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Write a value to a key.",
        discussion: """
            VALUE may be omitted (an empty value), "-" to read standard input, or @FILE to read a
            file. Values are limited to 512 KiB.

            Examples: gravity kv put app/config '{"debug": true}'
                      gravity kv put app/cert @cert.pem
            """)

    @OptionGroup var http: HTTPOptions

    @Option(name: consulName("flags"), help: "An unsigned integer stored with the key (Consul's Flags).")
    var flags: UInt64?

    @Flag(name: consulName("cas"), help: "Check-and-set: write only if the key's ModifyIndex equals -modify-index (0: only if absent).")
    var cas = false

    @Option(name: consulName("modify-index"), help: "The ModifyIndex -cas compares with.")
    var modifyIndex: UInt64?

    @Argument(help: "The key.")
    var key: String

    @Argument(help: "The value, - for standard input, or @FILE.")
    var value: String?

    func validate() throws {
        if cas && modifyIndex == nil { throw ValidationError("-cas needs -modify-index") }
        if !cas && modifyIndex != nil { throw ValidationError("-modify-index needs -cas") }
    }

    func run() throws {
        try CLIOutput.run { () throws(CLIError) in
            let data = try Self.valueBytes(value)
            var query: [String] = []
            if let flags { query.append("flags=\(flags)") }
            if cas, let modifyIndex { query.append("cas=\(modifyIndex)") }
            let path = KVPath.path(key) + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
            let response = try http.client().send("PUT", path, body: data)
            if cas, response.status == 200, response.text == "false" {
                throw CLIError("Error! Did not write to \(KVPath.display(key)): CAS failed")
            }
            return try Self.output(response, key: key)
        }
    }

    /// The bytes to write: the argument itself, standard input for "-", a file for "@path".
    static func valueBytes(_ argument: String?) throws(CLIError) -> [UInt8] {
        guard let argument else { return [] }
        if argument == "-" { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        guard argument.hasPrefix("@") else { return Array(argument.utf8) }
        let path = String(argument.dropFirst())
        guard let contents = FileManager.default.contents(atPath: path) else { throw CLIError("Error! Cannot read file \(path)") }
        return [UInt8](contents)
    }

    static func output(_ response: ClientResponse, key: String) throws(CLIError) -> [UInt8] {
        guard response.status == 200 else { throw CLIError("Error! Failed writing data: " + CLIOutput.unexpected(response)) }
        guard response.text == "true" else { throw CLIError("Error! Did not write to \(KVPath.display(key)): the agent answered \(response.text)") }
        return Array("Success! Data written to: \(KVPath.display(key))\n".utf8)
    }
}

struct KVDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a key, or every key under a prefix with -recurse.",
        discussion: "Examples: gravity kv delete app/config\n          gravity kv delete -recurse app/")

    @OptionGroup var http: HTTPOptions

    @Flag(name: consulName("recurse"), help: "Delete every key under the prefix (an empty prefix is the whole store).")
    var recurse = false

    @Argument(help: "The key, or the prefix with -recurse.")
    var key = ""

    func run() throws {
        try CLIOutput.run { () throws(CLIError) in
            let response = try http.client().send("DELETE", KVPath.path(key, query: recurse ? "recurse" : ""))
            return try Self.output(response, key: key, recurse: recurse)
        }
    }

    static func output(_ response: ClientResponse, key: String, recurse: Bool) throws(CLIError) -> [UInt8] {
        guard response.status == 200 else {
            throw CLIError("Error! Did not delete key \(KVPath.display(key)): " + CLIOutput.unexpected(response))
        }
        let what = recurse ? "keys with prefix" : "key"
        return Array("Success! Deleted \(what): \(KVPath.display(key))\n".utf8)
    }
}

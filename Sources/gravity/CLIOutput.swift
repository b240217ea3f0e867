import ArgumentParser
import Foundation

/// How the CLI prints, following Consul's CLI: plain lines, tables laid out as Consul's
/// `columnize` lays them out, errors on standard error with a non-zero exit.
enum CLIOutput {
    /// Columns separated by two spaces, each padded to its widest cell except the last, trailing
    /// blanks trimmed; one row per line.
    static func table(_ rows: [[String]]) -> String {
        guard let columns = rows.map(\.count).max(), columns > 0 else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        return rows.map { row in
            var line = ""
            for (column, cell) in row.enumerated() {
                let isLast = column == row.count - 1
                line += isLast ? cell : cell + String(repeating: " ", count: widths[column] - cell.count + 2)
            }
            return String(trimmingBlanks(Substring(line)))
        }.joined(separator: "\n") + "\n"
    }

    /// Go's api client's text for a status it did not expect, with the agent's message.
    static func unexpected(_ response: ClientResponse) -> String {
        "Unexpected response code: \(response.status) (\(response.text))"
    }

    static func write(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func writeError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// Runs a command body: a `CLIError` is printed and becomes exit status 1.
    static func run(_ body: () throws(CLIError) -> [UInt8]) throws {
        do {
            write(try body())
        } catch {
            writeError(error.message)
            throw ExitCode.failure
        }
    }

    /// Decodes a JSON body, or says what the agent sent instead.
    static func decode<T: Decodable>(_ type: T.Type, from response: ClientResponse) throws(CLIError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw CLIError("Error decoding the agent's response: \(error)")
        }
    }
}

/// `-http-addr`, shared by the commands that talk to an agent.
struct HTTPOptions: ParsableArguments {
    @Option(name: consulName("http-addr"),
            help: "The agent's HTTP API address (default \(ConsulHTTPAddress.defaultAddress), or CONSUL_HTTP_ADDR); http:// optional.")
    var httpAddr: String?

    func client() throws(CLIError) -> ConsulHTTPClient {
        ConsulHTTPClient(address: try ConsulHTTPAddress.resolve(flag: httpAddr, environment: ProcessInfo.processInfo.environment))
    }
}

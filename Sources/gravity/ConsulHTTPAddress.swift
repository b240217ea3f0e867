/// Where the CLI finds the agent's HTTP API: `-http-addr`, else `CONSUL_HTTP_ADDR`, else
/// 127.0.0.1:8500, as Consul's CLI does. `http://` may be given or left out; without a port
/// the address means port 80, as for Consul's Go client (it builds `http://<address>`).
struct ConsulHTTPAddress: Equatable {
    static let defaultAddress = "127.0.0.1:8500"

    /// Host name or IP address, IPv6 without brackets.
    var host: String
    var port: Int

    /// The address to use given the flag and the environment.
    static func resolve(flag: String?, environment: [String: String]) throws(CLIError) -> ConsulHTTPAddress {
        let fromEnvironment = environment["CONSUL_HTTP_ADDR"].flatMap { $0.isEmpty ? nil : $0 }
        return try parse(flag ?? fromEnvironment ?? defaultAddress)
    }

    /// Parses `host:port`, `[v6]:port`, `host`, each optionally after `http://` and before a path.
    static func parse(_ text: String) throws(CLIError) -> ConsulHTTPAddress {
        var rest = trimmingBlanks(Substring(text))
        if let scheme = rest.firstRange(of: "://") {
            let name = rest[..<scheme.lowerBound].lowercased()
            guard name == "http" else {
                throw CLIError("Unsupported scheme in HTTP address \(quoted(text)): only http:// is supported")
            }
            rest = rest[scheme.upperBound...]
        }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let (host, portText) = try split(rest, original: text)
        guard !host.isEmpty else { throw CLIError("Invalid HTTP address \(quoted(text)): missing host") }
        guard let portText else { return ConsulHTTPAddress(host: host, port: 80) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw CLIError("Invalid HTTP address \(quoted(text)): bad port \(quoted(String(portText)))")
        }
        return ConsulHTTPAddress(host: host, port: port)
    }

    /// Host and optional port text; IPv6 hosts must be bracketed when a port follows.
    private static func split(_ authority: Substring, original: String) throws(CLIError) -> (String, Substring?) {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw CLIError("Invalid HTTP address \(quoted(original)): missing ']'")
            }
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            guard !after.isEmpty else { return (host, nil) }
            guard after.hasPrefix(":") else { throw CLIError("Invalid HTTP address \(quoted(original))") }
            return (host, after.dropFirst())
        }
        let colons = authority.filter { $0 == ":" }.count
        if colons == 0 { return (String(authority), nil) }
        guard colons == 1, let colon = authority.firstIndex(of: ":") else {
            throw CLIError("Invalid HTTP address \(quoted(original)): put IPv6 addresses in brackets, as [::1]:8500")
        }
        return (String(authority[..<colon]), authority[authority.index(after: colon)...])
    }

    /// The `Host` header value: `host:port`, IPv6 in brackets.
    var authority: String {
        (host.contains(":") ? "[\(host)]" : host) + ":\(port)"
    }
}

/// A CLI failure: the message is printed to standard error and the command exits non-zero.
struct CLIError: Error, Equatable, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// `text` in double quotes, for messages.
func quoted(_ text: String) -> String {
    "\"" + text + "\""
}

/// `text` without leading and trailing spaces and tabs.
func trimmingBlanks(_ text: Substring) -> Substring {
    var result = text
    while result.first == " " || result.first == "\t" { result = result.dropFirst() }
    while result.last == " " || result.last == "\t" { result = result.dropLast() }
    return result
}

// The routing tree behind Router, without the handler type: routes hold handler indices, so the
// hot path is ordinary non-generic code whatever Handler is (generic code called from another
// module runs unspecialised, through metadata lookups, at several times the cost).
//
// Nodes are plain data (indices into flat arrays), so walking the tree through buffer pointers
// does no reference counting. Literal children of a node are contiguous in `literals`, sorted by
// their bytes (kept back to back in `keyBytes`), and found by binary search on the raw segment:
// a lookup neither builds nor hashes a String. Adding a route shifts indices (startup only).

/// What the tree found: a handler index, the methods of the routes that matched the path, or nothing.
@usableFromInline
enum RouteTableMatch: Sendable {
    case found(handler: Int, PathParameters)
    case methodNotAllowed(allowed: [String])
    case notFound
}

/// A tree of path segments whose leaves map methods to handler indices.
@usableFromInline
struct RouteTable: Sendable {
    /// A literal child: its segment is `keyBytes[keyStart..<keyStart + keyCount]`.
    struct Literal: Sendable {
        var keyStart: Int
        var keyCount: Int
        var node: Int
    }

    /// A method at a node.
    struct Route: Sendable {
        var method: String
        var handler: Int
    }

    /// One level of the tree; -1 means "none".
    struct Node: Sendable {
        /// `literals[literalStart..<literalStart + literalCount]`, sorted by key bytes.
        var literalStart = 0
        var literalCount = 0
        /// The ":name" child and the index of its name in `names`.
        var parameterNode = -1
        var parameterName = -1
        /// The "*name" child and the index of its name in `names`.
        var restNode = -1
        var restName = -1
        /// `routes[routeStart..<routeStart + routeCount]`, sorted by method.
        var routeStart = 0
        var routeCount = 0
    }

    /// nodes[0] is the root, before the first segment.
    var nodes = [Node()]
    var literals: [Literal] = []
    var keyBytes: [UInt8] = []
    var routes: [Route] = []
    var names: [String] = []

    @usableFromInline
    init() {}

    /// Adds a route to handler `handler`; see `Router.add` for the pattern syntax.
    @usableFromInline
    mutating func add(_ method: String, _ pattern: String, handler: Int) {
        precondition(ASCII.isToken(method), "route method is not a token: \(method)")
        precondition(pattern.utf8.first == ASCII.slash, "route pattern must start with '/': \(pattern)")
        let segments = pattern.utf8.dropFirst().split(separator: ASCII.slash, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        var node = 0
        for (position, segment) in segments.enumerated() {
            node = child(of: node, segment, isLast: position == segments.count - 1, pattern: pattern)
        }
        let existing = nodes[node].routeStart..<(nodes[node].routeStart + nodes[node].routeCount)
        precondition(!routes[existing].contains { $0.method == method }, "duplicate route \(method) \(pattern)")
        let offset = routes[existing].firstIndex { $0.method > method } ?? existing.upperBound
        routes.insert(Route(method: method, handler: handler), at: offset)
        shiftRanges(after: offset, except: node, \.routeStart, \.routeCount)
        if nodes[node].routeCount == 0 { nodes[node].routeStart = offset }
        nodes[node].routeCount += 1
        checkInvariants()
    }

    /// The child of `node` for one pattern segment, created if needed.
    private mutating func child(of node: Int, _ segment: String, isLast: Bool, pattern: String) -> Int {
        let name = String(segment.dropFirst())
        switch segment.first {
        case ":":
            precondition(!name.isEmpty, "empty parameter name in \(pattern)")
            if nodes[node].parameterNode >= 0 {
                let existing = names[nodes[node].parameterName]
                precondition(existing == name, "parameter :\(name) conflicts with :\(existing) in \(pattern)")
                return nodes[node].parameterNode
            }
            (nodes[node].parameterNode, nodes[node].parameterName) = (appendNode(), appendName(name))
            return nodes[node].parameterNode
        case "*":
            precondition(!name.isEmpty && isLast, "*name must be the last segment and named in \(pattern)")
            if nodes[node].restNode >= 0 {
                let existing = names[nodes[node].restName]
                precondition(existing == name, "*\(name) conflicts with *\(existing) in \(pattern)")
                return nodes[node].restNode
            }
            (nodes[node].restNode, nodes[node].restName) = (appendNode(), appendName(name))
            return nodes[node].restNode
        default:
            return literalChild(of: node, Array(segment.utf8))
        }
    }

    private mutating func literalChild(of node: Int, _ key: [UInt8]) -> Int {
        let range = nodes[node].literalStart..<(nodes[node].literalStart + nodes[node].literalCount)
        let (position, found) = keyBytes.withUnsafeBufferPointer { arena in
            literals.withUnsafeBufferPointer { all in
                key.withUnsafeBufferPointer { Self.findLiteral(UnsafeBufferPointer(rebasing: all[range]), arena, $0) }
            }
        }
        if found { return literals[range.lowerBound + position].node }
        let offset = nodes[node].literalCount == 0 ? literals.count : range.lowerBound + position
        literals.insert(Literal(keyStart: keyBytes.count, keyCount: key.count, node: appendNode()), at: offset)
        keyBytes.append(contentsOf: key)
        shiftRanges(after: offset, except: node, \.literalStart, \.literalCount)
        if nodes[node].literalCount == 0 { nodes[node].literalStart = offset }
        nodes[node].literalCount += 1
        return literals[offset].node
    }

    /// After an insertion at `offset` into a flat array, moves the ranges of the other nodes
    /// that start at or after it.
    private mutating func shiftRanges(after offset: Int, except owner: Int,
                                      _ start: WritableKeyPath<Node, Int>, _ count: KeyPath<Node, Int>) {
        for index in nodes.indices where index != owner && nodes[index][keyPath: count] > 0
            && nodes[index][keyPath: start] >= offset {
            nodes[index][keyPath: start] += 1
        }
    }

    private mutating func appendNode() -> Int {
        nodes.append(Node())
        return nodes.count - 1
    }

    private mutating func appendName(_ name: String) -> Int {
        names.append(name)
        return names.count - 1
    }

    /// Every node's literals are sorted and its routes sorted by method (checked after each add).
    private func checkInvariants() {
        for node in nodes {
            let methods = routes[node.routeStart..<(node.routeStart + node.routeCount)].map(\.method)
            assert(methods == methods.sorted(), "routes of a node out of order")
            assert(node.literalStart + node.literalCount <= literals.count)
        }
    }

    /// Binary search in `candidates` (sorted by their bytes in `arena`): the index of `key` and
    /// whether it is there, or the index where it would be inserted.
    static func findLiteral(_ candidates: UnsafeBufferPointer<Literal>, _ arena: UnsafeBufferPointer<UInt8>,
                            _ key: UnsafeBufferPointer<UInt8>) -> (Int, Bool) {
        var low = 0, high = candidates.count
        while low < high {
            let middle = (low + high) / 2
            let literal = candidates[middle]
            let order = compare(UnsafeBufferPointer(rebasing: arena[literal.keyStart..<(literal.keyStart + literal.keyCount)]), key)
            if order == 0 { return (middle, true) }
            if order < 0 { low = middle + 1 } else { high = middle }
        }
        assert(low == high)
        return (low, false)
    }

    /// Lexicographic byte order: negative, zero or positive.
    private static func compare(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(left.count, right.count)
        var index = 0
        while index < common {
            if left[index] != right[index] { return Int(left[index]) - Int(right[index]) }
            index += 1
        }
        return left.count - right.count
    }

    /// Finds the route for `method` and `rawPath`.
    @usableFromInline
    func match(method: String, rawPath: String) -> RouteTableMatch {
        var path = rawPath
        return path.withUTF8 { bytes in
            guard bytes.first == ASCII.slash else { return .notFound }
            return withTree { tree in
                var search = RouteSearch(tree: tree, method: method, path: bytes)
                if let found = search.visit(node: 0, segmentStart: 1) {
                    return .found(handler: found.handler, PathParameters(found.reversedParameters.reversed()))
                }
                if search.allowed.isEmpty { return .notFound }
                return .methodNotAllowed(allowed: Array(Set(search.allowed)).sorted())
            }
        }
    }

    /// Calls `body` with the tree's arrays borrowed as buffers.
    private func withTree<Result>(_ body: (RouteTree) -> Result) -> Result {
        nodes.withUnsafeBufferPointer { nodes in
            literals.withUnsafeBufferPointer { literals in
                keyBytes.withUnsafeBufferPointer { keyBytes in
                    routes.withUnsafeBufferPointer { routes in
                        names.withUnsafeBufferPointer { names in
                            body(RouteTree(nodes: nodes, literals: literals, keyBytes: keyBytes, routes: routes, names: names))
                        }
                    }
                }
            }
        }
    }
}

/// The arrays of a RouteTable, borrowed for the duration of one match.
struct RouteTree {
    let nodes: UnsafeBufferPointer<RouteTable.Node>
    let literals: UnsafeBufferPointer<RouteTable.Literal>
    let keyBytes: UnsafeBufferPointer<UInt8>
    let routes: UnsafeBufferPointer<RouteTable.Route>
    let names: UnsafeBufferPointer<String>
}

// The depth-first walk behind RouteTable.match. Captures are not stored: when a route is found,
// each parameter level adds its decoded value while the recursion unwinds, so only the winning
// branch's values are ever decoded and nothing is allocated on the way down.

/// A route found, with its parameter values innermost first.
struct FoundRoute {
    var handler: Int
    var reversedParameters: [(name: String, value: String)]
}

/// One walk of the route tree for one request.
struct RouteSearch {
    let tree: RouteTree
    let method: String
    /// The raw path, starting with '/'.
    let path: UnsafeBufferPointer<UInt8>
    /// Methods of every route whose pattern matched the path (unsorted, may repeat).
    var allowed: [String] = []

    init(tree: RouteTree, method: String, path: UnsafeBufferPointer<UInt8>) {
        assert(path.first == ASCII.slash && !tree.nodes.isEmpty)
        self.tree = tree
        self.method = method
        self.path = path
    }

    /// Walks from `node` with the segment starting at `segmentStart`; nil start means the path
    /// has no segment left. Returns the first route (in priority order: literal, parameter,
    /// rest) that takes `method`; a path a literal pattern matches never falls back.
    mutating func visit(node: Int, segmentStart: Int?) -> FoundRoute? {
        let current = tree.nodes[node]
        guard let start = segmentStart else {
            if let found = accept(current) { return found }
            return visitRest(of: current, from: path.count)
        }
        let end = ASCII.firstIndex(of: ASCII.slash, in: path, start..<path.count) ?? path.count
        let next = end < path.count ? end + 1 : nil
        if let child = literalChild(of: current, start..<end) {
            let allowedBefore = allowed.count
            if let found = visit(node: child, segmentStart: next) { return found }
            // The more specific literal pattern matched the path but not the method: that is a
            // 405 with its methods, as in Consul (GET /v1/agent/service/register is not the
            // `:id` route), rather than a fall-back to a parameter pattern.
            if allowed.count > allowedBefore { return nil }
        }
        if current.parameterNode >= 0, end > start, var found = visit(node: current.parameterNode, segmentStart: next) {
            found.reversedParameters.append(parameter(current.parameterName, start..<end))
            return found
        }
        return visitRest(of: current, from: start)
    }

    /// The literal child for a raw segment, compared after percent-decoding.
    private func literalChild(of node: RouteTable.Node, _ segment: Range<Int>) -> Int? {
        guard node.literalCount > 0 else { return nil }
        let candidates = UnsafeBufferPointer(rebasing: tree.literals[node.literalStart..<(node.literalStart + node.literalCount)])
        let raw = UnsafeBufferPointer(rebasing: path[segment])
        let (position, found): (Int, Bool)
        if ASCII.firstIndex(of: ASCII.percent, in: path, segment) == nil {
            (position, found) = RouteTable.findLiteral(candidates, tree.keyBytes, raw)
        } else {
            let keyBytes = tree.keyBytes
            (position, found) = PercentEncoding.decode(raw, plusIsSpace: false).withUnsafeBufferPointer {
                RouteTable.findLiteral(candidates, keyBytes, $0)
            }
        }
        return found ? candidates[position].node : nil
    }

    /// "*name" takes everything from `start` to the end of the path.
    private mutating func visitRest(of node: RouteTable.Node, from start: Int) -> FoundRoute? {
        guard node.restNode >= 0, var found = accept(tree.nodes[node.restNode]) else { return nil }
        found.reversedParameters.append(parameter(node.restName, start..<path.count))
        return found
    }

    /// The path ends at `node`: take its route for `method`, or note the methods it has.
    private mutating func accept(_ node: RouteTable.Node) -> FoundRoute? {
        let routes = tree.routes[node.routeStart..<(node.routeStart + node.routeCount)]
        for route in routes where route.method == method {
            return FoundRoute(handler: route.handler, reversedParameters: [])
        }
        allowed.append(contentsOf: routes.map(\.method))
        return nil
    }

    private func parameter(_ name: Int, _ range: Range<Int>) -> (name: String, value: String) {
        (name: tree.names[name], value: PercentEncoding.decodeLossy(UnsafeBufferPointer(rebasing: path[range]), plusIsSpace: false))
    }
}

// An immutable snapshot of a RouteTable behind one reference. A router is read on every request,
// often out of a class property; copying a struct of five arrays there costs five retains and
// releases, copying this costs one. Routes are added at startup only, so each add rebuilding the
// snapshot costs nothing that matters.

/// A frozen route table. Immutable, hence Sendable without further proof.
@usableFromInline
final class SharedRouteTable: Sendable {
    @usableFromInline let table: RouteTable

    @usableFromInline
    init(_ table: RouteTable) {
        self.table = table
    }
}

// Swift seeds `Hasher` per process, so a Dictionary's iteration order differs between replicas
// and between runs. Anything ordered that comes out of a dictionary (encoded bytes, the first
// error reported) goes through these keys, sorted by UTF-8 bytes: an order that does not
// depend on the Unicode tables of the standard library, only on the bytes.

extension Dictionary where Key == String {
    /// The keys sorted by their UTF-8 bytes.
    public var keysInByteOrder: [String] {
        keys.sorted(by: utf8Precedes)
    }
}

/// True when `a`'s UTF-8 bytes sort before `b`'s.
public func utf8Precedes(_ a: String, _ b: String) -> Bool {
    a.utf8.lexicographicallyPrecedes(b.utf8)
}

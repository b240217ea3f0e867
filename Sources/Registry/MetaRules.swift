/// Consul's rules for node and service meta (`structs.validateMetadata`), with its messages.
///
/// Consul reports the first bad pair in map order, which is random in Go; Gravity reports the
/// first in key byte order so the answer is the same on every run.
public enum MetaRules {
    /// Validates `meta`; the message is `<prefix>` followed by Consul's text, e.g.
    /// `Invalid Service Meta: Couldn't load metadata pair ('a b', 'x'): Key contains invalid characters`.
    public static func validate(_ meta: [String: String], field: String, prefix: String) throws(ValidationError) {
        guard meta.count <= RegistryLimits.maxMetaPairs else {
            // Consul says "Node metadata" for service meta too; clients match on this text.
            let text = "Node metadata cannot contain more than \(RegistryLimits.maxMetaPairs) key/value pairs"
            throw ValidationError(field: field, message: prefix + text)
        }
        for key in meta.keysInByteOrder {
            let value = meta[key] ?? ""
            if let problem = problem(key: key, value: value) {
                let text = "Couldn't load metadata pair ('\(key)', '\(value)'): \(problem)"
                throw ValidationError(field: field, message: prefix + text)
            }
        }
    }

    /// What is wrong with one pair, in Consul's order of checks; nil when it is fine.
    static func problem(key: String, value: String) -> String? {
        if key.isEmpty { return "Key cannot be blank" }
        if !key.utf8.allSatisfy(isMetaKeyByte) { return "Key contains invalid characters" }
        if key.utf8.count > RegistryLimits.maxMetaKeyBytes {
            return "Key is too long (limit: \(RegistryLimits.maxMetaKeyBytes) characters)"
        }
        if key.hasPrefix(RegistryLimits.reservedMetaPrefix) {
            return "Key prefix '\(RegistryLimits.reservedMetaPrefix)' is reserved for internal use"
        }
        if value.utf8.count > RegistryLimits.maxMetaValueBytes {
            return "Value is too long (limit: \(RegistryLimits.maxMetaValueBytes) characters)"
        }
        return nil
    }

    /// Consul's `metaKeyFormat`: `^[a-zA-Z0-9_-]+$`.
    static func isMetaKeyByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
}

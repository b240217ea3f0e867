// Evaluation. go-bexpr refuses some comparisons when the evaluator is built from Consul's Go types
// (`==` on a slice, `is empty` on an int); filters here run on JSON whose shape is known only at
// evaluation time, so each refusal becomes a plain "does not match" and evaluation never fails.
// Strings compare byte for byte, as Go's do (Swift's `==` would equate canonically equivalent
// strings that Go keeps apart).

extension FilterNode {
    /// True if `element` satisfies this node.
    func evaluate(_ element: JSON) -> Bool {
        switch self {
        case .match(let match): return match.evaluate(element)
        case .not(let operand): return !operand.evaluate(element)
        case .and(let operands): return operands.allSatisfy { $0.evaluate(element) }
        case .or(let operands): return operands.contains { $0.evaluate(element) }
        }
    }
}

extension FilterMatch {
    /// The positive test holds for some value the selector reaches; a negated operator is true
    /// exactly when the positive one is false, so a missing field satisfies every negated form.
    func evaluate(_ element: JSON) -> Bool {
        assert(!selector.parts.isEmpty, "the parser never builds an empty selector")
        let found = FilterMatch.anyValue(at: selector.parts[...], in: element) { test.holds(for: $0) }
        return negated ? !found : found
    }

    /// Walks `path` from `value` and reports whether `test` holds for any value it reaches.
    /// An array met before the end of the path fans out: the rest of the path is followed from each
    /// item (go-bexpr's rule for selectors such as `Checks.Status`). `null`, a missing key and a
    /// scalar with path left over reach nothing.
    static func anyValue(at path: ArraySlice<String>, in value: JSON, _ test: (JSON) -> Bool) -> Bool {
        switch value {
        case .null:
            return false
        case .array(let items) where !path.isEmpty:
            return items.contains { anyValue(at: path, in: $0, test) }
        case _ where path.isEmpty:
            return test(value)
        case .object(let members):
            let key = path[path.startIndex]
            guard let member = members.first(where: { FilterText.same($0.0, key) }) else { return false }
            return anyValue(at: path.dropFirst(), in: member.1, test)
        case .bool, .int, .uint, .double, .string, .array:
            return false
        }
    }
}

extension FilterTest {
    /// The test applied to one value reached by the selector (never `null`: that is missing).
    func holds(for value: JSON) -> Bool {
        switch self {
        case .equal(let raw): return FilterTest.equals(value, raw)
        case .isNotEmpty: return FilterTest.isNotEmpty(value)
        case .contains(let raw): return FilterTest.contains(value, raw)
        case .matches(let regex): return FilterTest.matches(value, regex)
        }
    }

    /// The value as written, converted to the kind of the field: a string compares as text, a
    /// number as a number, a bool with Go's `strconv.ParseBool` spellings. A value that does not
    /// convert does not match; arrays and objects equal nothing.
    static func equals(_ value: JSON, _ raw: String) -> Bool {
        switch value {
        case .string(let text): return FilterText.same(text, raw)
        case .int(let number): return FilterText.integerEquals(number, raw)
        case .uint(let number): return UInt64(raw) == number
        case .double(let number): return Double(raw) == number
        case .bool(let flag): return FilterText.parseBool(raw) == flag
        case .null, .array, .object: return false
        }
    }

    static func isNotEmpty(_ value: JSON) -> Bool {
        switch value {
        case .null: return false
        case .string(let text): return !text.isEmpty
        case .array(let items): return !items.isEmpty
        case .object(let members): return !members.isEmpty
        case .bool, .int, .uint, .double: return true  // present, and go-bexpr has no "empty" number
        }
    }

    /// Membership in an array (each item compared as `==` compares it), a substring of a string,
    /// a key of an object.
    static func contains(_ value: JSON, _ raw: String) -> Bool {
        switch value {
        case .array(let items): return items.contains { equals($0, raw) }
        case .string(let text): return FilterText.contains(text, raw)
        case .object(let members): return members.contains { FilterText.same($0.0, raw) }
        case .null, .bool, .int, .uint, .double: return false
        }
    }

    /// A string that contains a match; an array in which some string item does.
    static func matches(_ value: JSON, _ regex: FilterRegex) -> Bool {
        switch value {
        case .string(let text):
            return regex.hasMatch(in: text)
        case .array(let items):
            return items.contains { item in
                if case .string(let text) = item { return regex.hasMatch(in: text) }
                return false
            }
        case .null, .bool, .int, .uint, .double, .object:
            return false
        }
    }
}

/// Text comparisons with Go's meaning: bytes, not Swift's canonical equivalence.
enum FilterText {
    static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8)
    }

    /// Go's `strings.Contains`: every string contains the empty string.
    static func contains(_ haystack: String, _ needle: String) -> Bool {
        let hay = Array(haystack.utf8), pin = Array(needle.utf8)
        guard !pin.isEmpty else { return true }
        guard pin.count <= hay.count else { return false }
        for start in 0...(hay.count - pin.count) where hay[start] == pin[0] {
            if hay[start..<(start + pin.count)].elementsEqual(pin) { return true }
        }
        return false
    }

    /// An integer field equals a value written as an integer, or as a number with the same value
    /// (`8080.0`); anything else does not match.
    static func integerEquals(_ number: Int64, _ raw: String) -> Bool {
        if let integer = Int64(raw) { return integer == number }
        guard let real = Double(raw), real.isFinite else { return false }
        return real == real.rounded() && abs(real) < 0x1p63 && Int64(real) == number
    }

    /// Go's `strconv.ParseBool`.
    static func parseBool(_ raw: String) -> Bool? {
        switch raw {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }
}

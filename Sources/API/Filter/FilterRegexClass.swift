/// A set of Unicode scalars that one step of a pattern may consume: a literal, `.`, `[...]`,
/// `\d`, `\pL` and the like.
struct FilterRegexClass: Sendable, Equatable {
    var items: [FilterRegexClassItem]
    /// `[^...]`: the complement of the items.
    var negated: Bool
    /// Under `(?i)`: a scalar also matches through its one-scalar lower- or uppercase mapping.
    var foldsCase: Bool

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        var hit = itemsContain(scalar)
        if !hit && foldsCase {
            hit = itemsContain(FilterRegexClass.lowercase(scalar), other: scalar)
                || itemsContain(FilterRegexClass.uppercase(scalar), other: scalar)
        }
        return hit != negated
    }

    private func itemsContain(_ scalar: Unicode.Scalar) -> Bool {
        items.contains { $0.contains(scalar) }
    }

    /// A case variant, unless it is missing or the scalar itself (already tested).
    private func itemsContain(_ variant: Unicode.Scalar?, other scalar: Unicode.Scalar) -> Bool {
        guard let variant, variant != scalar else { return false }
        return itemsContain(variant)
    }

    /// `.`: any scalar but `\n`, or any at all under `(?s)`.
    static func dot(matchingNewline: Bool) -> FilterRegexClass {
        let item: FilterRegexClassItem = matchingNewline ? .ranges([0...0x10ffff], negated: false) : .ranges([0x0a...0x0a], negated: true)
        return FilterRegexClass(items: [item], negated: false, foldsCase: false)
    }

    static func lowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        if scalar.isASCII {
            return ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32) : scalar
        }
        return single(scalar.properties.lowercaseMapping)
    }

    static func uppercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        if scalar.isASCII {
            return ("a"..."z").contains(scalar) ? Unicode.Scalar(scalar.value - 32) : scalar
        }
        return single(scalar.properties.uppercaseMapping)
    }

    private static func single(_ mapping: String) -> Unicode.Scalar? {
        let scalars = mapping.unicodeScalars
        return scalars.count == 1 ? scalars.first : nil
    }
}

/// One part of a class.
enum FilterRegexClassItem: Sendable, Equatable {
    /// `a`, `a-z`.
    case range(Unicode.Scalar, Unicode.Scalar)
    /// Perl and POSIX classes (`\d`, `[:alpha:]`) and `.`, with their negations (`\D`).
    case ranges([ClosedRange<UInt32>], negated: Bool)
    /// `\pL`, `\p{Lu}`, `\PN`.
    case categories([Unicode.GeneralCategory], negated: Bool)

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .range(let low, let high):
            return low <= scalar && scalar <= high
        case .ranges(let ranges, let negated):
            return ranges.contains { $0.contains(scalar.value) } != negated
        case .categories(let categories, let negated):
            return categories.contains(scalar.properties.generalCategory) != negated
        }
    }
}

/// The named classes of RE2 syntax. Perl and POSIX classes are ASCII-only, as in RE2.
enum FilterRegexClassNames {
    /// `\d`, `\s`, `\w` by their letter.
    static func perl(_ letter: Unicode.Scalar) -> [ClosedRange<UInt32>]? {
        switch letter {
        case "d": return [0x30...0x39]
        case "s": return [0x09...0x0a, 0x0c...0x0d, 0x20...0x20]
        case "w": return [0x30...0x39, 0x41...0x5a, 0x5f...0x5f, 0x61...0x7a]
        default: return nil
        }
    }

    /// `[:alpha:]` and the others, by name.
    static func posix(_ name: String) -> [ClosedRange<UInt32>]? {
        switch name {
        case "alnum": return [0x30...0x39, 0x41...0x5a, 0x61...0x7a]
        case "alpha": return [0x41...0x5a, 0x61...0x7a]
        case "ascii": return [0x00...0x7f]
        case "blank": return [0x09...0x09, 0x20...0x20]
        case "cntrl": return [0x00...0x1f, 0x7f...0x7f]
        case "digit": return [0x30...0x39]
        case "graph": return [0x21...0x7e]
        case "lower": return [0x61...0x7a]
        case "print": return [0x20...0x7e]
        case "punct": return [0x21...0x2f, 0x3a...0x40, 0x5b...0x60, 0x7b...0x7e]
        case "space": return [0x09...0x0d, 0x20...0x20]
        case "upper": return [0x41...0x5a]
        case "word": return [0x30...0x39, 0x41...0x5a, 0x5f...0x5f, 0x61...0x7a]
        case "xdigit": return [0x30...0x39, 0x41...0x46, 0x61...0x66]
        default: return nil
        }
    }

    /// General categories by their Unicode abbreviation; a single letter names the whole group
    /// (`L` is `Lu`, `Ll`, `Lt`, `Lm`, `Lo`).
    static let generalCategories: [(String, Unicode.GeneralCategory)] = [
        ("Lu", .uppercaseLetter), ("Ll", .lowercaseLetter), ("Lt", .titlecaseLetter), ("Lm", .modifierLetter),
        ("Lo", .otherLetter), ("Mn", .nonspacingMark), ("Mc", .spacingMark), ("Me", .enclosingMark),
        ("Nd", .decimalNumber), ("Nl", .letterNumber), ("No", .otherNumber), ("Pc", .connectorPunctuation),
        ("Pd", .dashPunctuation), ("Ps", .openPunctuation), ("Pe", .closePunctuation), ("Pi", .initialPunctuation),
        ("Pf", .finalPunctuation), ("Po", .otherPunctuation), ("Sm", .mathSymbol), ("Sc", .currencySymbol),
        ("Sk", .modifierSymbol), ("So", .otherSymbol), ("Zs", .spaceSeparator), ("Zl", .lineSeparator),
        ("Zp", .paragraphSeparator), ("Cc", .control), ("Cf", .format), ("Cs", .surrogate),
        ("Co", .privateUse), ("Cn", .unassigned),
    ]

    /// The categories a `\p` name stands for; `Any` is every category.
    static func categories(_ name: String) -> [Unicode.GeneralCategory]? {
        if name == "Any" { return generalCategories.map(\.1) }
        let matching = generalCategories.filter { name.count == 1 ? $0.0.hasPrefix(name) : $0.0 == name }.map(\.1)
        return matching.isEmpty ? nil : matching
    }
}

/// The regular expression of a `matches` operator: RE2 syntax (what go-bexpr gets from Go's
/// `regexp`), answering only "is there a match anywhere in this string?".
///
/// Why not the standard library's `Regex`: it backtracks, so a pattern such as `(a+)+$` takes
/// time exponential in the length of the text (about 16 s for 18 characters on this project's
/// machine), and a filter is untrusted input run against every element of a response. Like RE2,
/// this matcher simulates the automaton over sets of states (Thompson's construction), so its
/// cost is at most `program.count` steps per Unicode scalar of the text, and `program.count` is
/// bounded by `FilterLimits.maxRegexInstructions`.
///
/// Matching works on Unicode scalars, as Go's works on runes. Unsupported, as in RE2:
/// backreferences and lookaround. Also unsupported here: Unicode script classes (`\p{Greek}`);
/// general categories (`\pL`, `\p{Lu}`) work. Case-insensitive matching (`(?i)`) compares a
/// scalar and its one-scalar lower- and uppercase mappings, close to Go's simple case folding.
struct FilterRegex: Sendable, Equatable {
    /// The pattern as written, which is also what two expressions compare.
    let pattern: String
    let program: [FilterRegexInstruction]

    init(_ pattern: String) throws(FilterRegexError) {
        assert(pattern.utf8.count <= FilterLimits.maxRegexPatternBytes, "the filter parser checks the length first")
        self.pattern = pattern
        let tree = try FilterRegexParser.parse(pattern)
        program = try FilterRegexCompiler.compile(tree)
        assert(program.last == .match && program.count <= FilterLimits.maxRegexInstructions)
    }

    /// True if some substring of `text` matches (an unanchored search, as Go's `MatchString`).
    func hasMatch(in text: String) -> Bool {
        var search = FilterRegexSearch(program: program)
        return search.run(text.unicodeScalars)
    }

    static func == (a: FilterRegex, b: FilterRegex) -> Bool {
        a.pattern.utf8.elementsEqual(b.pattern.utf8)  // bytes, as Go compares strings
    }
}

/// Why a pattern was refused, in Go's words where Go has them ("missing closing )").
struct FilterRegexError: Error, Equatable {
    let message: String
}

/// One instruction of a compiled pattern (Thompson's construction, as in Russ Cox, "Regular
/// Expression Matching: the Virtual Machine Approach"). Every instruction but `jump` and `split`
/// continues at the next one.
enum FilterRegexInstruction: Sendable, Equatable {
    /// Consume one scalar of the class.
    case scalar(FilterRegexClass)
    /// Continue only if the assertion holds here.
    case assertion(FilterRegexAssertion)
    /// Continue at both.
    case split(Int, Int)
    case jump(Int)
    /// The pattern has matched.
    case match
}

/// Turns a tree into instructions, refusing programs over `FilterLimits.maxRegexInstructions`
/// while emitting, so `(a{1000}){1000}` never allocates a million of them.
struct FilterRegexCompiler {
    var program: [FilterRegexInstruction] = []

    static func compile(_ tree: FilterRegexNode) throws(FilterRegexError) -> [FilterRegexInstruction] {
        var compiler = FilterRegexCompiler()
        try compiler.emit(tree)
        _ = try compiler.append(.match)
        assert(compiler.program.allSatisfy { compiler.targetsAreInside($0) })
        return compiler.program
    }

    mutating func append(_ instruction: FilterRegexInstruction) throws(FilterRegexError) -> Int {
        guard program.count < FilterLimits.maxRegexInstructions else {
            throw FilterRegexError(message: "expression too large: more than \(FilterLimits.maxRegexInstructions) instructions")
        }
        program.append(instruction)
        return program.count - 1
    }

    mutating func emit(_ node: FilterRegexNode) throws(FilterRegexError) {
        switch node {
        case .empty: break
        case .scalar(let set): _ = try append(.scalar(set))
        case .assertion(let assertion): _ = try append(.assertion(assertion))
        case .concatenation(let items): for item in items { try emit(item) }
        case .alternation(let branches): try emitAlternation(branches)
        case .repetition(let item, let min, let max): try emitRepetition(item, min: min, max: max)
        }
    }

    /// `split next, L2; branch 1; jump end; L2: split ...; last branch; end:`
    mutating func emitAlternation(_ branches: [FilterRegexNode]) throws(FilterRegexError) {
        precondition(branches.count >= 2, "the parser makes an alternation only of two or more branches")
        var exits: [Int] = []
        for branch in branches.dropLast() {
            let split = try append(.split(0, 0))
            try emit(branch)
            exits.append(try append(.jump(0)))
            program[split] = .split(split + 1, program.count)
        }
        try emit(branches[branches.count - 1])
        for exit in exits { program[exit] = .jump(program.count) }
    }

    /// `x{n,m}` is n copies of x then m-n copies of `x?`; `x{n,}` is n copies then `x*`.
    mutating func emitRepetition(_ item: FilterRegexNode, min: Int, max: Int?) throws(FilterRegexError) {
        precondition(min >= 0 && min <= (max ?? min), "the parser checks repeat counts")
        for _ in 0..<min { try emit(item) }
        guard let max else {
            let split = try append(.split(0, 0))
            try emit(item)
            _ = try append(.jump(split))
            program[split] = .split(split + 1, program.count)
            return
        }
        for _ in min..<max {
            let split = try append(.split(0, 0))
            try emit(item)
            program[split] = .split(split + 1, program.count)
        }
    }

    func targetsAreInside(_ instruction: FilterRegexInstruction) -> Bool {
        switch instruction {
        case .split(let first, let second): return program.indices.contains(first) && program.indices.contains(second)
        case .jump(let target): return program.indices.contains(target)
        case .scalar, .assertion, .match: return true
        }
    }
}

/// One unanchored search: the set of live instructions, advanced one scalar at a time. Each
/// instruction enters a set at most once per position, so the work per scalar is bounded by the
/// program's length whatever the pattern.
struct FilterRegexSearch {
    let program: [FilterRegexInstruction]
    /// Pending instructions of an epsilon closure, kept between calls to reuse its storage.
    var pending: [Int] = []
    /// Instructions entered into a set so far: at most `program.count` per position of the text.
    private(set) var visits = 0

    init(program: [FilterRegexInstruction]) {
        precondition(program.last == .match, "a compiled program ends in match")
        self.program = program
    }

    /// True as soon as any thread reaches `match`: a boolean search needs no leftmost-longest rule.
    mutating func run(_ text: String.UnicodeScalarView) -> Bool {
        var current = FilterRegexThreadSet(capacity: program.count)
        var next = FilterRegexThreadSet(capacity: program.count)
        var scalars = text.makeIterator()
        var previous: Unicode.Scalar?
        var scalar = scalars.next()
        while true {
            // A new thread starts at every position: the search is unanchored.
            if addClosure(of: 0, to: &current, previous: previous, next: scalar) { return true }
            guard let consumed = scalar else { return false }
            let following = scalars.next()
            next.clear()
            for pc in current.members {
                guard case .scalar(let set) = program[pc], set.contains(consumed) else { continue }
                if addClosure(of: pc + 1, to: &next, previous: consumed, next: following) { return true }
            }
            swap(&current, &next)
            previous = consumed
            scalar = following
        }
    }

    /// Adds `start` and everything reachable from it without consuming a scalar; true if that
    /// reaches `match`.
    mutating func addClosure(of start: Int, to set: inout FilterRegexThreadSet, previous: Unicode.Scalar?, next: Unicode.Scalar?) -> Bool {
        pending.removeAll(keepingCapacity: true)
        pending.append(start)
        while let pc = pending.popLast() {
            guard set.insert(pc) else { continue }
            visits += 1
            switch program[pc] {
            case .match: return true
            case .jump(let target): pending.append(target)
            case .split(let first, let second): pending.append(contentsOf: [second, first])
            case .assertion(let assertion):
                if FilterRegexSearch.holds(assertion, previous: previous, next: next) { pending.append(pc + 1) }
            case .scalar: break
            }
        }
        return false
    }

    static func holds(_ assertion: FilterRegexAssertion, previous: Unicode.Scalar?, next: Unicode.Scalar?) -> Bool {
        switch assertion {
        case .beginText: return previous == nil
        case .endText: return next == nil
        case .beginLine: return previous == nil || previous == "\n"
        case .endLine: return next == nil || next == "\n"
        case .wordBoundary: return isWord(previous) != isWord(next)
        case .notWordBoundary: return isWord(previous) == isWord(next)
        }
    }

    /// `\b` looks at ASCII word characters only, as RE2's does.
    static func isWord(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }
}

/// A set of instruction indexes that clears in constant time: an index is a member when its mark
/// equals the current generation.
struct FilterRegexThreadSet {
    private(set) var members: [Int] = []
    private var marks: [UInt32]
    private var generation: UInt32 = 1

    init(capacity: Int) {
        marks = Array(repeating: 0, count: capacity)
        members.reserveCapacity(capacity)
    }

    mutating func clear() {
        members.removeAll(keepingCapacity: true)
        generation &+= 1
        if generation == 0 {  // wrapped: old marks could now look current
            for index in marks.indices { marks[index] = 0 }
            generation = 1
        }
    }

    /// False if `pc` was already a member.
    mutating func insert(_ pc: Int) -> Bool {
        guard marks[pc] != generation else { return false }
        marks[pc] = generation
        members.append(pc)
        assert(members.count <= marks.count)
        return true
    }
}

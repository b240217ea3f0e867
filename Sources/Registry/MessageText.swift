// Helpers for the text of validation messages, which quote what the client sent.

/// True for C0 and C1 control characters and DEL.
func isControl(_ scalar: Unicode.Scalar) -> Bool {
    scalar.value < 0x20 || (scalar.value >= 0x7f && scalar.value < 0xa0)
}

/// `text` in double quotes with control characters escaped, for error messages.
func quoted(_ text: String) -> String {
    "\"" + text.unicodeScalars.map { isControl($0) ? $0.escaped(asASCII: true) : String($0) }.joined() + "\""
}

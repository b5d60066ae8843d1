import Foundation

/// Output helpers: reports on stdout, errors and progress on stderr, both flushed so that piped
/// output survives a crash of a later step.
enum Terminal {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }

    static func progress(_ line: String, updating: Bool) {
        FileHandle.standardError.write(Data((updating ? "\r\u{1B}[K" + line : line + "\n").utf8))
    }

    static func endProgress() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    static func out(_ text: String) {
        print(text)
        fflush(nil)
    }

    /// 7680091 → "7,680,091".
    static func count(_ n: Int) -> String {
        let digits = String(n)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 && c != "-" { out += "," }
            out.append(c)
        }
        return out
    }
}

import Foundation
import QuorumCore

/// Output helpers: reports on stdout, errors and progress on stderr, both flushed so that piped
/// output survives a crash of a later step.
enum Terminal {
    /// Messages may quote a file's text: control characters in it are shown as escapes.
    static func error(_ message: String) {
        FileHandle.standardError.write(Data("error: \(TraceDocument.visible(message))\n".utf8))
    }

    static func warning(_ message: String) {
        FileHandle.standardError.write(Data("warning: \(TraceDocument.visible(message))\n".utf8))
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

    /// Writes a report to `path`, or to stdout when `path` is "-".
    static func write(_ text: String, to path: String, what: String) throws {
        if path == "-" {
            out(text)
            return
        }
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw UsageError("cannot write the \(what) to \(path): \(error.localizedDescription)")
        }
    }

    /// Writes a trace as `<stem>.itf.json` and `<stem>.md` under `directory`; returns the paths.
    /// `replayed`: the document's replay when the caller has it already.
    static func writeTrace(_ document: TraceDocument, directory: String, stem: String,
                           replayed: Result<ReplayReport, any Error>? = nil) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let base = (directory as NSString).appendingPathComponent(stem)
        try document.json.write(toFile: base + ".itf.json", atomically: true, encoding: .utf8)
        try document.markdown.write(toFile: base + ".md", atomically: true, encoding: .utf8)
        try HTMLViewer.page(document, replayed: replayed ?? ReplayCommand.outcome(document)).write(toFile: base + ".html", atomically: true, encoding: .utf8)
        return [base + ".itf.json", base + ".md", base + ".html"]
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

/// SIGINT and SIGTERM during a long check: the first asks the engines to stop (the check ends
/// "incomplete" and its reports are written), a second ends the process at once.
enum Signals {
    static func stopGracefully() {
        // A parent may have started us with these signals blocked (the mask is inherited).
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for sig in [SIGINT, SIGTERM] {
            signal(sig) { received in
                if Interruption.request(signal: received) != 0 { _exit(128 + received) }
            }
        }
    }
}

/// The files a cluster node keeps beside its log of steps, named from the log's path: `s1.jsonl`
/// gives `s1.state.json`, `s1.batches.log`, `s1.applied.log`, and so on. One rule, so that
/// `quorum cluster` finds what each `quorum node` wrote.
enum NodeFiles {
    /// The path of the node's file with `suffix` (".state.json", ".applied.log", …), beside `log`.
    static func path(beside log: String, _ suffix: String) -> String {
        (log.hasSuffix(".jsonl") ? String(log.dropLast(6)) : log) + suffix
    }
}

import Foundation
import Testing
import QuorumCore
@testable import Raft

/// The packed storage of ``RaftState``: a log in one word, an index table in two. Each must read
/// back what was written at the extremes its bounds allow, and equal contents must mean equal
/// words (the fingerprint takes the words as they are).
@Suite struct RaftStorageTests {
    /// The figure docs/PERFORMANCE.md gives: the explorer copies a state for nearly every successor.
    @Test func aStateIs256Bytes() {
        #expect(MemoryLayout<RaftState>.stride == 256)
        #expect(MemoryLayout<RaftState>.size <= 256)
    }

    @Test func aLogReadsBackEveryEntryAtTheExtremes() {
        var log = RaftLog()
        var written: [Entry] = []
        for k in 0..<RaftLog.capacity {
            let e = Entry(term: k % 2 == 0 ? 15 : 0, value: k % 4)
            log.append(e)
            written.append(e)
            #expect(Array(log) == written)
        }
        #expect(!log.canAppend(Entry(term: 1, value: 0)))
        while !written.isEmpty {
            log.removeLast()
            written.removeLast()
            #expect(Array(log) == written)
        }
        #expect(log == RaftLog())
    }

    @Test func aLogRefusesWhatItCannotHold() throws {
        #expect(!RaftLog().canAppend(Entry(term: 16, value: 0)))
        #expect(!RaftLog().canAppend(Entry(term: 1, value: 4)))
        // Read from a file, such an entry is an error, not a trap.
        let json = Data(#"[{"term": 16, "value": 0}]"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RaftLog.self, from: json) }
        let log: RaftLog = [Entry(term: 2, value: 1), Entry(term: 15, value: 3)]
        #expect(try JSONDecoder().decode(RaftLog.self, from: JSONEncoder().encode(log)) == log)
    }

    @Test func equalLogsHaveEqualWordsWhateverWasRemoved() {
        var a: RaftLog = [Entry(term: 1, value: 0)]
        a.append(Entry(term: 15, value: 3))
        a.removeLast()
        let b: RaftLog = [Entry(term: 1, value: 0)]
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        var f = FingerprintKey(), g = FingerprintKey()
        a.fingerprint(into: &f)
        b.fingerprint(into: &g)
        #expect(f == g)
    }

    @Test func indexRowsReadBackEveryRowAndEntry() {
        var table = IndexRows(repeating: PerServer(repeating: 0, count: 5))
        for i in 0..<5 {
            for j in 0..<5 { table[i][j] = (i * 5 + j) % (IndexRows.maxIndex + 1) }
        }
        for i in 0..<5 {
            for j in 0..<5 { #expect(table[i][j] == (i * 5 + j) % (IndexRows.maxIndex + 1)) }
        }
        // A row of fewer servers keeps the others at -1, as PerServer does.
        var three = IndexRows(repeating: PerServer(repeating: 1, count: 3))
        #expect(three[4] == PerServer(repeating: 1, count: 3))
        #expect(three[0][3] == -1)
        three[2] = PerServer(repeating: 9, count: 3)
        #expect(three[2][2] == 9 && three[1][2] == 1 && three[3][0] == 1)
        // Rows 0–2 live in the first word, so three servers' steps never change the second.
        let high = three.high
        three[0][1] = 7
        three[1] = PerServer(repeating: 0, count: 3)
        #expect(three.high == high)
    }
}

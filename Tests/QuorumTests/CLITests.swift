import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import QuorumCLI

/// The command line as users and CI see it: exit codes, one-line errors, files written.
@Suite struct CLITests {
    func expectUsageError(_ arguments: [String], mentioning text: String) throws {
        let output = try CLI.run(arguments)
        #expect(output.status == 2, "\(arguments): \(output.stderr)")
        let lines = output.stderr.split(separator: "\n")
        #expect(lines.count == 1, "one line expected: \(output.stderr)")
        #expect(output.stderr.hasPrefix("error: "))
        #expect(output.stderr.contains(text), "\(output.stderr)")
    }

    @Test func badInputGetsAOneLineErrorAndExitCode2() throws {
        try expectUsageError(["check", "zab"], mentioning: "unknown spec 'zab'")
        try expectUsageError(["check", "paxos", "--set", "ballots=2"], mentioning: "unknown parameter 'ballots'")
        try expectUsageError(["check", "paxos", "--set", "maxBallot=99"], mentioning: "out of range")
        try expectUsageError(["check", "paxos", "--set", "maxBallot"], mentioning: "NAME=VALUE")
        try expectUsageError(["check", "paxos", "--set", "maxBallot=two"], mentioning: "not an integer")
        try expectUsageError(["check", "paxos", "--invariant", "Liveness"], mentioning: "unknown invariant 'Liveness'")
        try expectUsageError(["check", "paxos", "--variant", "byzantine"], mentioning: "unknown variant 'byzantine'")
        try expectUsageError(["check", "paxos", "--max-states", "0"], mentioning: "--max-states")
        try expectUsageError(["check"], mentioning: "--all")
        try expectUsageError(["check", "paxos", "--workers", "0"], mentioning: "--workers")
        try expectUsageError(["check", "paxos", "--memory", "lots"], mentioning: "--memory")
        try expectUsageError(["check", "--all", "--variant", "minorityQuorums"], mentioning: "--all")
        try expectUsageError(["check", "paxos", "--frobnicate"], mentioning: "frobnicate")
        try expectUsageError(["replay", "/nonexistent/trace.itf.json"], mentioning: "cannot read")
    }

    @Test func checkExitsZeroWhenThePropertiesHold() throws {
        let dir = try temporaryDirectory()
        let output = try CLI.run(["check", "paxos", "--json", "report.json", "--quiet"], in: dir)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("3,921 distinct states"))
        let data = try Data(contentsOf: dir.appendingPathComponent("report.json"))
        let reports = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        #expect(reports.count == 1)
        #expect(reports[0]["spec"] as? String == "Paxos")
        #expect(reports[0]["result"] as? String == "ok")
        #expect(reports[0]["distinctStates"] as? Int == 3_921)
        #expect(reports[0]["statesGenerated"] as? Int == 23_563)
        #expect(reports[0]["diameter"] as? Int == 16)
        #expect((reports[0]["parameters"] as? [String: Int])?["maxBallot"] == 1)
        #expect((reports[0]["violations"] as? [Any])?.isEmpty == true)
    }

    @Test func aViolationExitsOneAndWritesReplayableFiles() throws {
        let dir = try temporaryDirectory()
        let output = try CLI.run(["check", "paxos", "--variant", "minorityQuorums", "--out", "cx", "--json", "-", "--quiet"], in: dir)
        #expect(output.status == 1)
        let reports = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [[String: Any]]
        let violations = reports[0]["violations"] as! [[String: Any]]
        #expect(violations.first?["invariant"] as? String == "Agreement")
        #expect(violations.first?["length"] as? Int == 8)
        let itf = dir.appendingPathComponent("cx/paxos-minorityQuorums-Agreement.itf.json")
        #expect(FileManager.default.fileExists(atPath: itf.path))
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cx/paxos-minorityQuorums-Agreement.md").path))
        let replay = try CLI.run(["replay", itf.path])
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout.contains("violates Agreement at the end, as recorded"))
    }

    @Test func tamperedAndMalformedTracesExitTwo() throws {
        let dir = try temporaryDirectory()
        _ = try CLI.run(["check", "paxos", "--variant", "minorityQuorums", "--out", ".", "--quiet"], in: dir)
        let itf = dir.appendingPathComponent("paxos-minorityQuorums-Agreement.itf.json")
        let text = try String(contentsOf: itf, encoding: .utf8)

        let tampered = dir.appendingPathComponent("tampered.itf.json")
        try text.replacingOccurrences(of: "\"val\":\"v2\"", with: "\"val\":\"v1\"").write(to: tampered, atomically: true, encoding: .utf8)
        let t = try CLI.run(["replay", tampered.path])
        #expect(t.status == 2)
        #expect(t.stderr.contains("step "), "\(t.stderr)")

        let truncated = dir.appendingPathComponent("truncated.itf.json")
        try String(text.prefix(text.count / 2)).write(to: truncated, atomically: true, encoding: .utf8)
        let u = try CLI.run(["replay", truncated.path])
        #expect(u.status == 2)
        #expect(u.stderr.contains("not valid JSON"))

        let stale = dir.appendingPathComponent("stale.itf.json")
        try text.replacingOccurrences(of: "\"variant\":\"minorityQuorums\",", with: "").write(to: stale, atomically: true, encoding: .utf8)
        let s = try CLI.run(["replay", stale.path])
        #expect(s.status == 2, "a trace of the variant does not replay on the correct spec")
    }

    @Test func aStateLimitGivesIncompleteAndExitCode3() throws {
        let output = try CLI.run(["check", "paxos", "--max-states", "10", "--no-files", "--quiet"])
        #expect(output.status == 3)
        #expect(output.stdout.contains("incomplete"))
    }

    @Test func aMemoryBudgetGivesIncompleteNotACrash() throws {
        let output = try CLI.run(["check", "raft", "--memory", "4M", "--no-files", "--quiet"])
        #expect(output.status == 3)
        #expect(output.stdout.contains("reached --memory"))
    }

    @Test func symmetryReducesTheStatesAndKeepsTheExitCode() throws {
        let output = try CLI.run(["check", "paxos", "--symmetry", "--workers", "2", "--quiet"])
        #expect(output.status == 0)
        #expect(output.stdout.contains("443 distinct states, 2,697 generated"))
    }

    @Test func simulateFindsShrinksWritesAndReplays() throws {
        let dir = try temporaryDirectory()
        let output = try CLI.run(["simulate", "paxos", "--variant", "minorityQuorums", "--seed", "3", "--runs", "500",
                                  "--out", "cx", "--json", "report.json"], in: dir)
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stdout.contains("seed 3"))
        #expect(output.stdout.contains("shrunk to"))
        let itf = dir.appendingPathComponent("cx/paxos-minorityQuorums-Agreement-simulated.itf.json")
        let replay = try CLI.run(["replay", itf.path])
        #expect(replay.status == 0, "\(replay.stderr)")
        let data = try Data(contentsOf: dir.appendingPathComponent("report.json"))
        let report = try JSONSerialization.jsonObject(with: data) as! [[String: Any]]
        let violation = (report[0]["violations"] as! [[String: Any]])[0]
        #expect((violation["length"] as! Int) <= (violation["originalLength"] as! Int))
        let again = try CLI.run(["simulate", "paxos", "--variant", "minorityQuorums", "--seed", "3", "--runs", "500",
                                 "--workers", "1", "--no-files", "--json", "-"])
        let second = try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as! [[String: Any]]
        #expect(((second[0]["violations"] as! [[String: Any]])[0]["run"] as! Int) == (violation["run"] as! Int))
    }

    @Test func simulateExitsZeroWithoutViolationAndRejectsBadInput() throws {
        let output = try CLI.run(["simulate", "raft", "--runs", "20", "--depth", "50", "--no-files"])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.contains("no violation"))
        try expectUsageError(["simulate", "raft", "--runs", "0"], mentioning: "--runs")
        try expectUsageError(["simulate", "raft", "--set", "servers=9"], mentioning: "out of range")
        try expectUsageError(["simulate", "tendermint"], mentioning: "unknown spec")
    }

    @Test func junitAndGitHubAnnotationsReportEveryProperty() throws {
        let dir = try temporaryDirectory()
        let process = try CLI.run(["check", "paxos", "--variant", "minorityQuorums", "--junit", "report.xml", "--out", "cx", "--quiet"],
                                  in: dir, environment: ["GITHUB_ACTIONS": "true"])
        #expect(process.status == 1)
        let xml = try String(contentsOf: dir.appendingPathComponent("report.xml"), encoding: .utf8)
        let suite = "Paxos[minorityQuorums] (acceptors=3, values=2, maxBallot=1)"
        // The explorer stopped at Agreement: the other invariants and the temporal property were
        // not checked to the end, so they are skipped, not passed.
        #expect(xml.contains("<testsuite name=\"\(suite)\" tests=\"5\" failures=\"1\" errors=\"0\" skipped=\"4\""), "\(xml)")
        #expect(xml.contains("<testcase classname=\"\(suite)\" name=\"Agreement\""))
        #expect(xml.contains("<failure message=\"Agreement violated after 8 steps\" type=\"violation\">trace: cx/paxos-minorityQuorums-Agreement.itf.json"))
        #expect(xml.contains("<skipped message=\"not checked to the end: the explorer stopped at the first violation (Agreement)"))
        #expect(xml.contains("name=\"EventuallyChosen\" time=\"") && xml.contains("<skipped message=\"not checked: temporal properties are checked once the invariants hold"))
        #expect(process.stdout.contains("::error title=Paxos[minorityQuorums] (acceptors=3%2C values=2%2C maxBallot=1) Agreement::Agreement violated after 8 steps (trace: cx/paxos-minorityQuorums-Agreement.itf.json)"),
                "\(process.stdout)")
        let parsed = try XMLDocument(data: Data(xml.utf8))
        #expect(try parsed.nodes(forXPath: "//testcase").count == 5)
        #expect(try parsed.nodes(forXPath: "//testcase/skipped").count == 4)
    }

    @Test func listNamesEverySpecPropertyAndVariant() throws {
        let output = try CLI.run(["list", "--json"])
        #expect(output.status == 0)
        let root = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as! [String: Any]
        let specs = root["specs"] as! [[String: Any]]
        #expect(specs.map { $0["name"] as! String } == Catalog.specs.map(\.name))
        #expect(Set(specs.map { $0["name"] as! String }).isSuperset(of: ["Paxos", "Raft", "ResultBroadcast"]))
        let raft = specs[1]
        let raftProperties = (raft["properties"] as! [[String: Any]]).map { $0["name"] as! String }
        #expect(raftProperties.contains("LeaderAppendOnly") && raftProperties.contains("StateMachineSafety"))
        for spec in specs {
            let properties = (spec["properties"] as! [[String: Any]]).map { $0["name"] as! String }
            let variants = (spec["variants"] as! [[String: Any]]).map { $0["breaks"] as! String }
            // Deadlock is every spec's: a state with no enabled action (`--deadlock`).
            #expect(variants.allSatisfy { properties.contains($0) || $0 == "Deadlock" })
        }
        let broadcast = specs.first { $0["name"] as? String == "ResultBroadcast" }!
        let kinds = (broadcast["properties"] as! [[String: Any]]).map { $0["kind"] as! String }
        #expect(kinds.filter { $0 == "temporal" }.count == 4)
    }

    @Test func parametersThatBreakASpecsAssumptionsAreRefused() throws {
        // bcastByz.tla assumes N > 3T; only the tooFewStations variant drops that assumption.
        let refused = try CLI.run(["check", "resultbroadcast", "--set", "stations=3"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("N > 3T"))
        let faulty = try CLI.run(["check", "resultbroadcast", "--set", "faulty=2"])
        #expect(faulty.status == 2 && faulty.stderr.contains("F <= T"))
        let variant = try CLI.run(["check", "resultbroadcast", "--variant", "tooFewStations", "--no-files"])
        #expect(variant.status == 1)
        #expect(variant.stdout.contains("Unforgeability (temporal) violated after 2 steps"))
    }

    @Test func theLivenessGraphRespectsTheMemoryBudget() throws {
        // 3 MiB holds the explorer's tables for ResultBroadcast but not the graph of full states.
        let run = try CLI.run(["check", "resultbroadcast", "--memory", "3M", "--no-files", "--quiet"])
        #expect(run.status == 3)
        #expect(run.stdout.contains("incomplete — temporal properties: reached --memory 3145728 bytes"))
    }

    @Test func aLivenessViolationIsWrittenAsALassoAndReplays() throws {
        let directory = try temporaryDirectory()
        let run = try CLI.run(["check", "resultbroadcast", "--variant", "acceptAfterFewerEchoes", "--invariant", "Relay"], in: directory)
        #expect(run.status == 1)
        #expect(run.stdout.contains("↻ then it stays in state 2 forever"))
        let file = directory.appendingPathComponent("counterexamples/resultbroadcast-acceptAfterFewerEchoes-Relay.itf.json").path
        let replay = try CLI.run(["replay", file])
        #expect(replay.status == 0)
        #expect(replay.stdout.contains("loop back to state 2 on a fair cycle"))
        // Moving the loop breaks the lasso: the file is refused.
        let text = try String(contentsOfFile: file, encoding: .utf8).replacingOccurrences(of: "\"loop\": 2", with: "\"loop\": 1")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["replay", file]).status == 2)
    }
}

@Suite struct SymbolicCLITests {
    @Test func proveReportsInductiveAndNotInductiveWithExitCodes() throws {
        let directory = try temporaryDirectory()
        let ok = try CLI.run(["prove", "paxos", "--invariant", "InductiveInv", "--implies", "Agreement"], in: directory)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("result: inductive"))

        let cti = try CLI.run(["prove", "paxos", "--invariant", "InductiveInv", "--drop", "msgs2b", "--json", "report.json"], in: directory)
        #expect(cti.status == 1)
        #expect(cti.stdout.contains("Counterexample to induction (minimised: slots away from the initial state 2)"))
        let file = directory.appendingPathComponent("counterexamples/paxos-InductiveInv-without-msgs2b-cti.itf.json").path
        #expect(FileManager.default.fileExists(atPath: file))
        let replay = try CLI.run(["replay", file], in: directory)
        #expect(replay.status == 0, "\(replay.stderr)")
        let report = try String(contentsOf: directory.appendingPathComponent("report.json"), encoding: .utf8)
        #expect(report.contains("\"result\": \"not inductive\""))
    }

    @Test func bmcWritesAShortestTrace() throws {
        let directory = try temporaryDirectory()
        let run = try CLI.run(["bmc", "paxos", "--variant", "minorityQuorums", "--depth", "10", "--invariant", "Agreement", "--quiet"], in: directory)
        #expect(run.status == 1)
        #expect(run.stdout.contains("Agreement violated after 8 steps"))
        let file = directory.appendingPathComponent("counterexamples/paxos-minorityQuorums-Agreement-bmc.itf.json").path
        #expect(try CLI.run(["replay", file], in: directory).status == 0)
    }

    @Test func conformReportsAgreement() throws {
        let run = try CLI.run(["conform", "paxos", "--sample", "100"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("agree "))
    }

    @Test func symbolicCommandsRefuseBadInput() throws {
        let cases: [[String]] = [
            ["prove", "paxos"],
            ["prove", "paxos", "--invariant", "Nope"],
            ["prove", "paxos", "--invariant", "InductiveInv", "--drop", "nope"],
            ["prove", "nope", "--invariant", "Inv"],
            ["prove", "paxos", "--invariant", "Inv", "--set", "maxBallot=99"],
            ["bmc", "paxos", "--depth", "-1"],
            ["bmc", "paxos", "--depth", "3", "--variant", "nope"],
            ["conform"],
        ]
        for arguments in cases {
            let run = try CLI.run(arguments)
            #expect(run.status == 2, "\(arguments): \(run.stdout) \(run.stderr)")
            #expect(run.stderr.contains("error"), "\(arguments)")
        }
    }
}

@Suite struct ShowCommandTests {
    @Test func showPrintsTheStepsPlainWhenNotATerminal() throws {
        let run = try CLI.run(["show", "counterexamples/paxos-minorityQuorums-Agreement.itf.json"],
                              in: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent())
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("Agreement (invariant) violated after 8 steps."))
        #expect(run.stdout.contains("  8  "))
        #expect(!run.stdout.contains("\u{1B}["))
    }

    @Test func showRefusesAMalformedFile() throws {
        let directory = try temporaryDirectory()
        try Data("{\"states\": 3}".utf8).write(to: directory.appendingPathComponent("bad.itf.json"))
        let run = try CLI.run(["show", "bad.itf.json"], in: directory)
        #expect(run.status == 2)
        #expect(run.stderr.contains("bad.itf.json"))
    }
}

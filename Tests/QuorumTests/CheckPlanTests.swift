import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
import QuorumCore
@testable import QuorumCLI
import TwoPhaseCommit

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite struct CheckPlanTests {
    @Test func theBuiltInPlanReadsBackAsItself() throws {
        let plan = try CheckPlan.parse(try CheckPlan.builtInText(), file: "built-in")
        let builtIn = try CheckPlan.builtIn()
        func text(_ c: CheckPlan.Check) -> String {
            "\(c.spec.name) \(c.variant?.name ?? "") \(c.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }) \(c.expect)"
        }
        #expect(plan.checks.map(text) == builtIn.checks.map(text))
    }

    @Test(arguments: [
        ("[[check]]\nspec = \"Paxos\"\nexpect = \"ok\"\ncolour = \"red\"\n", "plan.toml:4: unknown key 'colour'"),
        ("[[check]]\nspec = \"Paxoz\"\nexpect = \"ok\"\n", "plan.toml:2: unknown spec 'Paxoz'"),
        ("[[check]]\nspec = \"Paxos\"\nbounds = { maxBallot = 9 }\nexpect = \"ok\"\n", "plan.toml:3: maxBallot = 9 is out of range"),
        ("[[check]]\nspec = \"Paxos\"\nbounds = { maxBallot = }\nexpect = \"ok\"\n", "plan.toml:3: bounds:"),
        ("\n\n[[check]]\nspec = \"Paxos\"\n", "plan.toml:3: each [[check]] needs expect"),
        ("[[check]]\nspec = \"Paxos\"\nvariant = \"minorityQuorums\"\nexpect = \"Agreemnt\"\n", "plan.toml:4: expect is \"ok\" or a property of Paxos"),
        ("spec = \"Paxos\"\n", "plan.toml:1: 'spec' comes before the first [[check]]"),
        ("[check]\n", "plan.toml:1: expected [[check]]"),
        ("[[check]]\nspec = \"Raft\"\nfairness = \"fair\"\nexpect = \"ok\"\n", "plan.toml:3: fairness is \"spec\""),
        ("# nothing\n", "plan.toml: no [[check]] tables"),
        ("[[check]]\nspec = \"ResultBroadcast\"\nbounds = { stations = 3 }\nexpect = \"ok\"\n", "plan.toml:3: ResultBroadcast: stations = 3"),
        ("[plan]\ndeclared = \"yes\"\n", "plan.toml:2: declared is true"),
        ("[plan]\nincluded = true\n", "plan.toml:2: unknown key 'included' in [plan]"),
        ("[plan]\n[plan]\n", "plan.toml:2: [plan] is given twice"),
        ("[[check]]\nspec = \"Paxos\"\nexpect = \"ok\"\n[plan]\n", "plan.toml:4: [plan] must come before the first [[check]]"),
        ("[plan]\ndeclared = false\n", "plan.toml: no [[check]] tables"),
    ])
    func aMalformedPlanIsAnErrorNamingTheLine(text: String, message: String) {
        #expect {
            _ = try CheckPlan.parse(text, file: "plan.toml")
        } throws: { error in
            "\(error)".hasPrefix(message) || { print("got: \(error)"); return false }()
        }
    }

    @Test func checkAllRunsThePlanAndFailsWhenAnExpectationIsNotMet() throws {
        let directory = try temporaryDirectory()
        let plan = """
            # two checks
            [[check]]
            spec = "Paxos"
            properties = ["Agreement"]
            expect = "ok"

            [[check]]
            spec = "AuditLog"
            variant = "auditLastRecordOnly"
            expect = "TamperEvident"   # must be caught
            """
        try plan.write(to: directory.appendingPathComponent("quorum.toml"), atomically: true, encoding: .utf8)
        let run = try CLI.run(["check", "--all", "--no-files", "--quiet"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("plan: quorum.toml, 2 checks"))
        // The plan leaves out Raft and most variants: each is named, with the lines that add it.
        #expect(run.stderr.contains("warning: quorum.toml does not check that Paxos's variant minorityQuorums is caught; add: [[check]] spec = \"Paxos\" variant = \"minorityQuorums\" expect = \"Agreement\""),
                "\(run.stderr)")
        #expect(run.stderr.contains("warning: quorum.toml checks no correct Raft"))
        #expect(!run.stderr.contains("auditLastRecordOnly"))
        #expect(run.stdout.contains("2 of 2 checks met their expectation"))
        let wrong = plan.replacingOccurrences(of: "expect = \"TamperEvident\"", with: "expect = \"ok\"")
        try wrong.write(to: directory.appendingPathComponent("other.toml"), atomically: true, encoding: .utf8)
        let failing = try CLI.run(["check", "--all", "--plan", "other.toml", "--no-files", "--quiet"], in: directory)
        #expect(failing.status == 1)
        #expect(failing.stdout.contains("1 of 2 checks met their expectation; 1 did not:"))
        #expect(failing.stdout.contains("FAIL  AuditLog [auditLastRecordOnly] (results=2, maxLength=4, maxEdits=3) expected ok, got violation of TamperEvident"),
                "\(failing.stdout)")
        let malformed = try CLI.run(["check", "--all", "--plan", "missing.toml"], in: directory)
        #expect(malformed.status == 2 && malformed.stderr.contains("cannot read the check plan missing.toml"))
    }
}

extension CheckPlanTests {
    /// `[plan] declared = true`: every spec and variant the file does not name is checked as its
    /// declaration says, in catalogue order, and one the file names is checked as the file says.
    @Test func aPlanWithTheDeclaredChecksAddsWhatItDoesNotName() throws {
        let text = """
            [plan]
            declared = true   # the specs' own checks

            [[check]]
            spec = "Paxos"
            variant = "minorityQuorums"
            bounds = { maxBallot = 2 }
            expect = "Agreement"

            [[check]]
            spec = "Paxos"
            variant = "minorityQuorums"
            expect = "Agreement"
            """
        let plan = try CheckPlan.parse(text, file: "plan.toml")
        let builtIn = try CheckPlan.builtIn()
        func key(_ c: CheckPlan.Check) -> String { "\(c.spec.name) \(c.variant?.name ?? "")" }
        // The built-in list, with its one minorityQuorums check replaced by the file's two.
        var expected = builtIn.checks.map(key)
        let k = try #require(expected.firstIndex(of: "Paxos minorityQuorums"))
        expected.insert("Paxos minorityQuorums", at: k)
        #expect(plan.checks.map(key) == expected)
        #expect(plan.checks.map(\.line).filter { $0 > 0 } == [4, 10])
        #expect(plan.checks[k].values["maxBallot"] == 2)
        #expect(plan.declaredCount == builtIn.checks.count - 1)
        #expect(plan.uncovered().isEmpty)
        // Without it, the file's checks only, and a warning for each spec and variant left out.
        let alone = try CheckPlan.parse(text.replacingOccurrences(of: "declared = true", with: "declared = false"), file: "plan.toml")
        #expect(alone.checks.count == 2 && alone.declaredCount == 0 && !alone.uncovered().isEmpty)
    }
}

@Suite struct TwoPhaseCommitTests {
    @Test func figuresEqualTLCs() {
        // TLC on TwoPhase.tla with TwoPhase.cfg (RM = {r1, r2, r3}): 288 distinct states, 1,146
        // generated, depth 11.
        let result = Explorer(TwoPhaseCommit()).run()
        #expect(result.outcome == .ok)
        #expect(result.distinctStates == 288 && result.statesGenerated == 1_146 && result.diameter + 1 == 11)
    }

    @Test func committingBeforeEveryonePreparedBreaksConsistency() throws {
        // The strengthening fails first, when the TM commits; TCConsistent two steps later.
        let first = try #require(Explorer(TwoPhaseCommit(mutation: .commitWithoutAllPrepared)).run().violations.first)
        #expect(first.property == "InductiveConsistency" && first.trace.length == 3)
        var options = ExplorationOptions()
        options.properties = ["TCConsistent"]
        let violation = try #require(Explorer(TwoPhaseCommit(mutation: .commitWithoutAllPrepared), options: options).run().violations.first)
        #expect(violation.property == "TCConsistent" && violation.trace.length == 5)
    }
}

/// The structure the JUnit XML schema (the Ant/Jenkins `junit.xsd` that CI servers read) requires:
/// `testsuites` holding `testsuite` elements with `name`, `tests`, `failures`, `errors` and `time`;
/// `testcase` elements with `name`, `classname` and `time`; `failure` elements with `message` and
/// `type`; the counts agreeing with the elements.
@Suite struct JUnitSchemaTests {
    @Test func checkAllWritesJUnitWithTheSchemasRequiredStructure() throws {
        let directory = try temporaryDirectory()
        let plan = """
            [[check]]
            spec = "TwoPhaseCommit"
            expect = "ok"

            [[check]]
            spec = "TwoPhaseCommit"
            variant = "commitWithoutAllPrepared"
            expect = "ok"   # wrong on purpose: a failing test case

            [[check]]
            spec = "AuditLog"
            variant = "digestWithoutPredecessor"
            expect = "TamperEvident"
            """
        try plan.write(to: directory.appendingPathComponent("quorum.toml"), atomically: true, encoding: .utf8)
        let run = try CLI.run(["check", "--all", "--junit", "junit.xml", "--quiet", "--out", "cx"], in: directory)
        #expect(run.status == 1)
        let document = try XMLDocument(contentsOf: directory.appendingPathComponent("junit.xml"))
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        func attribute(_ e: XMLElement, _ name: String) -> String? { e.attribute(forName: name)?.stringValue }
        func integer(_ e: XMLElement, _ name: String) -> Int? { attribute(e, name).flatMap(Int.init) }
        let suites = root.elements(forName: "testsuite")
        #expect(suites.count == 3)
        var totalCases = 0, totalFailures = 0
        for suite in suites {
            let cases = suite.elements(forName: "testcase")
            let failures = cases.flatMap { $0.elements(forName: "failure") }
            let skipped = cases.flatMap { $0.elements(forName: "skipped") }
            #expect(integer(suite, "skipped") == skipped.count)
            #expect(attribute(suite, "name")?.isEmpty == false)
            #expect(integer(suite, "tests") == cases.count)
            #expect(integer(suite, "failures") == failures.count)
            #expect(integer(suite, "errors") == 0)
            #expect(attribute(suite, "time").flatMap(Double.init) != nil)
            for testcase in cases {
                #expect(attribute(testcase, "name")?.isEmpty == false)
                #expect(attribute(testcase, "classname") == attribute(suite, "name"))
                #expect(attribute(testcase, "time").flatMap(Double.init) != nil)
                #expect(testcase.children?.allSatisfy { $0.name == "failure" || $0.name == "skipped" } ?? true)
                #expect((testcase.children?.count ?? 0) <= 1)
            }
            for failure in failures {
                #expect(attribute(failure, "message")?.isEmpty == false)
                #expect(attribute(failure, "type") == "violation")
            }
            totalCases += cases.count
            totalFailures += failures.count
        }
        #expect(integer(root, "tests") == totalCases)
        #expect(integer(root, "failures") == totalFailures)
        // The mutant checked against "ok" is the one failure, and it points at its trace.
        #expect(totalFailures == 1)
        let failure = try #require(root.nodes(forXPath: "//failure").first as? XMLElement)
        #expect(failure.stringValue?.contains("trace: cx/twophasecommit-commitWithoutAllPrepared-InductiveConsistency.itf.json") == true)
        // Suites carry the bounds, and the annotation points at the plan line that declared the check.
        #expect(suites.contains { attribute($0, "name") == "TwoPhaseCommit[commitWithoutAllPrepared] (resourceManagers=3)" })
    }

    @Test func annotationsPointAtThePlanLineThatDeclaredTheCheck() throws {
        let directory = try temporaryDirectory()
        let plan = """
            [[check]]
            spec = "TwoPhaseCommit"
            variant = "commitWithoutAllPrepared"
            expect = "ok"
            """
        try plan.write(to: directory.appendingPathComponent("quorum.toml"), atomically: true, encoding: .utf8)
        let run = try CLI.run(["check", "--all", "--plan", "quorum.toml", "--quiet", "--out", "cx"], in: directory,
                              environment: ["GITHUB_ACTIONS": "true"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("::error file=quorum.toml,line=1,title=TwoPhaseCommit[commitWithoutAllPrepared] (resourceManagers=3) InductiveConsistency::InductiveConsistency violated after 3 steps (trace: cx/twophasecommit-commitWithoutAllPrepared-InductiveConsistency.itf.json)"),
                "\(run.stdout)")
    }

    @Test func simulateWritesJUnitWithACasePerPropertyChecked() throws {
        let directory = try temporaryDirectory()
        let run = try CLI.run(["simulate", "auditlog", "--variant", "auditLastRecordOnly", "--junit", "sim.xml", "--out", "cx"],
                              in: directory, environment: ["GITHUB_ACTIONS": "true"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("(trace: cx/auditlog-auditLastRecordOnly-TamperEvident-simulated.itf.json)"), "\(run.stdout)")
        let document = try XMLDocument(contentsOf: directory.appendingPathComponent("sim.xml"))
        let cases = try document.nodes(forXPath: "//testcase").compactMap { ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue }
        #expect(cases == ["TamperEvident", "HonestReplicasPass"])
        #expect(try document.nodes(forXPath: "//testcase/failure").count == 1)
    }

    /// With 2 servers, Raft's EventuallyLeader holds when fairness is judged on the spec and fails
    /// when it is judged on the bounded model: the plan's `fairness` key decides.
    @Test func aPlanChoosesHowFairnessIsJudged() throws {
        let directory = try temporaryDirectory()
        func plan(_ fairness: String) -> String {
            "[[check]]\nspec = \"Raft\"\nbounds = { servers = 2, maxLogLength = 0 }\nproperties = [\"EventuallyLeader\"]\n"
                + "fairness = \"\(fairness)\"\nexpect = \"EventuallyLeader\"\n"
        }
        let file = directory.appendingPathComponent("plan.toml")
        try plan("bounded").write(to: file, atomically: true, encoding: .utf8)
        let bounded = try CLI.run(["check", "--all", "--plan", file.path, "--no-files", "--quiet"])
        #expect(bounded.status == 0, "\(bounded.stdout)")
        try plan("spec").write(to: file, atomically: true, encoding: .utf8)
        let spec = try CLI.run(["check", "--all", "--plan", file.path, "--no-files", "--quiet"])
        #expect(spec.status == 1, "\(spec.stdout)")
        #expect(try CheckPlan.parse(plan("bounded"), file: "plan.toml").checks[0].boundedFairness)
    }
}

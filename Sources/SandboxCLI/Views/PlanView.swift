import Foundation
import SandboxCore
import SandboxEngine
import SandboxGraph

/// Renders a plan the way Terraform users expect: one block per resource, symbols, old -> new.
enum PlanView {
    static func render(_ plan: Plan, destroy: Bool = false) -> [String] {
        var lines: [String] = []
        let interesting = plan.changes.filter { $0.action != .noop || !$0.drift.isEmpty }
        if interesting.isEmpty {
            lines.append("No changes. The sandbox matches \(plan.stackFile) (\(plan.changes.count) resources, account \(plan.accountId), \(plan.region)).")
            return lines
        }
        lines.append("sandbox will perform these actions (account \(plan.accountId), \(plan.region)):")
        lines.append("")
        for change in interesting.sorted(by: { order($0) < order($1) }) {
            var header = "  \(change.action.symbol) \(change.address)"
            switch change.action {
            case .create: header += change.reason.map { " (\($0))" } ?? ""
            case .update: header += " (update in place\(change.reason.map { "; \($0)" } ?? ""))"
            case .replace: header += " (replace: \(change.reason ?? "must be replaced"))"
            case .delete: header += destroy ? change.reason.map { " (\($0))" } ?? "" : " (\(change.reason ?? "gone from the stack"))"
            case .importable: header = "  ! \(change.address) exists in AWS but is not managed: run sandbox import \(change.address) \(change.importId ?? "ID")"
            case .noop: header = "    \(change.address) (no change)"
            }
            lines.append(header)
            if change.action == .create, let after = change.after {
                for key in after.keys.sorted() where after[key] != .null {
                    lines.append("        \(key): \(show(after[key]))")
                }
                for key in change.unknownAfter { lines.append("        \(key): (known after apply)") }
            }
            for attribute in change.changes where change.action != .create {
                lines.append("        \(attribute.name): \(show(attribute.old)) -> \(show(attribute.new))\(attribute.forcesReplacement ? "  # forces replacement" : "")")
            }
            if !change.drift.isEmpty {
                lines.append("        drift (changed outside sandbox): " + change.drift.map { "\($0.name) recorded \(show($0.new)), live \(show($0.old))" }.joined(separator: "; "))
            }
        }
        lines.append("")
        lines.append(summary(plan))
        return lines
    }

    static func summary(_ plan: Plan) -> String {
        var text = "Plan: \(plan.count(.create)) to add, \(plan.count(.update)) to change, \(plan.count(.replace)) to replace, \(plan.count(.delete)) to destroy."
        let importable = plan.count(.importable)
        if importable > 0 { text += " \(importable) exist\(importable == 1 ? "s" : "") but not managed (import first)." }
        let drifted = plan.changes.filter { !$0.drift.isEmpty }.count
        if drifted > 0 { text += " Drift detected on \(drifted) resource\(drifted == 1 ? "" : "s")." }
        return text
    }

    static func order(_ change: PlannedChange) -> String {
        let rank: Int
        switch change.action {
        case .importable: rank = 0
        case .delete: rank = 1
        case .replace: rank = 2
        case .create: rank = 3
        case .update: rank = 4
        case .noop: rank = 5
        }
        return "\(rank) \(change.address)"
    }

    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        switch value {
        case .string(let s): return "\"\(s)\""
        case .object, .array:
            let text = value.compactJSON
            return text.count > 120 ? String(text.prefix(117)) + "..." : text
        default: return value.description
        }
    }
}

/// Prints apply progress as each step starts and ends.
struct ApplyProgressView: ApplyHooks {
    let console: Console
    let quiet: Bool

    func willApply(_ change: PlannedChange) {
        guard !quiet, change.action != .noop else { return }
        console.out("\(change.address): \(verb(change.action))...")
    }

    func didApply(_ change: PlannedChange, outcome: WalkOutcome, seconds: Double) {
        guard !quiet, change.action != .noop || outcome != .succeeded else { return }
        switch outcome {
        case .succeeded: console.out("\(change.address): \(past(change.action)) (\(String(format: "%.1f", seconds))s)")
        case .failed(let message): console.out("\(change.address): FAILED: \(message)")
        case .skipped(let because): console.out("\(change.address): skipped (\(because) failed)")
        }
    }

    func verb(_ action: PlanAction) -> String {
        switch action {
        case .create: return "Creating"
        case .update: return "Modifying"
        case .replace: return "Replacing"
        case .delete: return "Destroying"
        case .noop: return "Reading"
        case .importable: return "Checking"
        }
    }

    func past(_ action: PlanAction) -> String {
        switch action {
        case .create: return "Created"
        case .update: return "Modified"
        case .replace: return "Replaced"
        case .delete: return "Destroyed"
        case .noop: return "Unchanged"
        case .importable: return "Checked"
        }
    }
}

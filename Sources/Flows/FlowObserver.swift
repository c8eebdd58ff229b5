import FlowGeometry
import Foundation

/// Progress of a running flow, reported after every loss evaluation.
public struct FlowProgress: Sendable {
    /// Steps taken so far.
    public let step: Int
    /// Step budget.
    public let totalSteps: Int
    /// `F` at the current state.
    public let loss: Double
    /// Seconds since the flow started (or resumed).
    public let seconds: Double
    /// The step this run started from: 0, or the checkpoint's step when resumed.
    public let firstStep: Int

    public init(step: Int, totalSteps: Int, loss: Double, seconds: Double, firstStep: Int = 0) {
        self.step = step
        self.totalSteps = totalSteps
        self.loss = loss
        self.seconds = seconds
        self.firstStep = firstStep
    }

    /// Steps per second so far (in this run: a resumed run counts from its first step).
    public var stepsPerSecond: Double { seconds > 0 ? Double(step - firstStep) / seconds : 0 }
}

/// Receives progress from `Flow.run`, which takes the observer `inout`: a struct
/// observer's records end up in the caller's variable, and a class observer works the
/// same way.
///
/// `flowDidStep` also sees the current state (before the step's move), so an observer
/// can write snapshots, evaluate a classifier on the flowed data or checkpoint; states of
/// a particular type are reached with a cast (`state as? LabeledDataset`). Keeping the
/// state costs a copy of its storage on the flow's next move (copy on write); reading it
/// costs nothing. An observer that throws ends the run with its error.
public protocol FlowObserver {
    /// Called after each loss evaluation (steps 0...N) with the state the loss belongs to.
    mutating func flowDidStep<State: FlowManifold>(_ progress: FlowProgress, state: State) throws
    /// Called once at the end of a run that did not throw. Default: nothing.
    mutating func flowDidFinish() throws
}

extension FlowObserver {
    public mutating func flowDidFinish() throws {}
}

/// An observer that ignores everything.
public struct SilentObserver: FlowObserver, Sendable {
    public init() {}
    public mutating func flowDidStep<State: FlowManifold>(_ progress: FlowProgress, state: State) {}
}

/// An observer that keeps every progress record (a value type: the records are in the
/// variable passed to `Flow.run(from:observer:using:)`).
public struct ProgressLog: FlowObserver, Sendable {
    /// One record per loss evaluation, in order.
    public private(set) var records: [FlowProgress] = []
    /// Whether `flowDidFinish` was called.
    public private(set) var finished = false

    public init() {}
    public mutating func flowDidStep<State: FlowManifold>(_ progress: FlowProgress, state: State) {
        records.append(progress)
    }
    public mutating func flowDidFinish() { finished = true }
}

/// A terminal progress bar on standard error: `[#####.....] step 120/500  loss 3.1e-03  85.2 it/s`,
/// redrawn at most `refreshesPerSecond` times a second and on the last step.
public struct ProgressBar: FlowObserver, Sendable {
    public var width: Int
    public var refreshesPerSecond: Double
    private var lastDraw = -Double.infinity
    private var drew = false

    public init(width: Int = 30, refreshesPerSecond: Double = 10) {
        self.width = width
        self.refreshesPerSecond = refreshesPerSecond
    }

    /// The bar's text for `progress` (no carriage return). A negative `width` draws no
    /// bar; a step outside `0...totalSteps` draws an empty or a full one.
    public func render(_ progress: FlowProgress) -> String {
        let width = max(0, self.width)
        let fraction = progress.totalSteps > 0 ? Double(progress.step) / Double(progress.totalSteps) : 1
        let filled = Int((min(max(fraction, 0), 1) * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let loss = String(format: "%.4e", progress.loss)
        let rate = String(format: "%.1f", progress.stepsPerSecond)
        return "[\(bar)] step \(progress.step)/\(progress.totalSteps)  loss \(loss)  \(rate) it/s"
    }

    public mutating func flowDidStep<State: FlowManifold>(_ progress: FlowProgress, state: State) {
        let isLast = progress.step == progress.totalSteps
        guard isLast || progress.seconds - lastDraw >= 1 / refreshesPerSecond else { return }
        lastDraw = progress.seconds
        drew = true
        FileHandle.standardError.write(("\r" + render(progress)).data(using: .utf8)!)
    }

    public mutating func flowDidFinish() {
        if drew { FileHandle.standardError.write("\n".data(using: .utf8)!) }
    }
}

/// Two observers as one: every report goes to `first`, then to `second` (e.g. a
/// `ProgressBar` and a snapshot recorder). Nest pairs for more. An error of `first` ends
/// the run before `second` hears of the step.
public struct ObserverPair<First: FlowObserver, Second: FlowObserver>: FlowObserver {
    public var first: First
    public var second: Second

    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    public mutating func flowDidStep<State: FlowManifold>(_ progress: FlowProgress, state: State) throws {
        try first.flowDidStep(progress, state: state)
        try second.flowDidStep(progress, state: state)
    }

    public mutating func flowDidFinish() throws {
        try first.flowDidFinish()
        try second.flowDidFinish()
    }
}

extension ObserverPair: Sendable where First: Sendable, Second: Sendable {}

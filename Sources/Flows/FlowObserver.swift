import Foundation

/// Progress of a running flow, reported after every loss evaluation.
public struct FlowProgress: Sendable {
    /// Steps taken so far.
    public let step: Int
    /// Step budget.
    public let totalSteps: Int
    /// `F` at the current state.
    public let loss: Double
    /// Seconds since the flow started.
    public let seconds: Double

    public init(step: Int, totalSteps: Int, loss: Double, seconds: Double) {
        self.step = step
        self.totalSteps = totalSteps
        self.loss = loss
        self.seconds = seconds
    }

    /// Steps per second so far.
    public var stepsPerSecond: Double { seconds > 0 ? Double(step) / seconds : 0 }
}

/// Receives progress from `Flow.run`.
public protocol FlowObserver {
    /// Called after each loss evaluation (steps 0...N).
    mutating func flowDidStep(_ progress: FlowProgress)
    /// Called once at the end of a run that did not throw. Default: nothing.
    mutating func flowDidFinish()
}

extension FlowObserver {
    public mutating func flowDidFinish() {}
}

/// An observer that ignores everything.
public struct SilentObserver: FlowObserver {
    public init() {}
    public mutating func flowDidStep(_ progress: FlowProgress) {}
}

/// A terminal progress bar on standard error: `[#####.....] step 120/500  loss 3.1e-03  85.2 it/s`,
/// redrawn at most `refreshesPerSecond` times a second and on the last step.
public struct ProgressBar: FlowObserver {
    public var width: Int
    public var refreshesPerSecond: Double
    private var lastDraw = -Double.infinity
    private var drew = false

    public init(width: Int = 30, refreshesPerSecond: Double = 10) {
        self.width = width
        self.refreshesPerSecond = refreshesPerSecond
    }

    /// The bar's text for `progress` (no carriage return).
    public func render(_ progress: FlowProgress) -> String {
        let fraction = progress.totalSteps > 0 ? Double(progress.step) / Double(progress.totalSteps) : 1
        let filled = min(width, Int((fraction * Double(width)).rounded(.down)))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let loss = String(format: "%.4e", progress.loss)
        let rate = String(format: "%.1f", progress.stepsPerSecond)
        return "[\(bar)] step \(progress.step)/\(progress.totalSteps)  loss \(loss)  \(rate) it/s"
    }

    public mutating func flowDidStep(_ progress: FlowProgress) {
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

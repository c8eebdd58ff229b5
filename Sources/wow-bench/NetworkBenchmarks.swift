import Foundation
import WassersteinFlows

/// Training and inference throughput of the evaluation networks (batch 64, 1x28x28,
/// AdamW step included) and the embedding gradient of 500 images through a fresh random
/// ConvNet, optionally against PyTorch on CPU timed in the same session.
enum NetworkBenchmarks {
    static let batch = 64

    static func run(repeats: Int, torch: Bool) throws -> [Row] {
        let reference = torch ? torchTimings() : nil
        var rows = [Row]()
        for (name, architecture, steps) in [("convnet", Architecture.convNet(), 5), ("lenet5", .leNet5, 100), ("cnn", .cnn, 100)] {
            var rng = SeededGenerator(seed: 1)
            var network = try Network(architecture, using: &rng)
            let x = try Tensor(shape: [batch, 1, 28, 28], storage: (0..<(batch * 784)).map { _ in Float(rng.nextUnitDouble()) })
            let labels = (0..<batch).map { $0 % 10 }
            var optimizer = AdamW.paper
            func trainStep() throws {
                network.zeroGradients()
                let logProbabilities = try network.forward(x, mode: .differentiable)
                let (_, gradient) = try NLLLoss.valueAndGradient(logProbabilities: logProbabilities, labels: labels)
                _ = try network.backward(gradient, targets: .parameters)
                try optimizer.step(&network)
            }
            let trainMs = try Benchmark.median(repeats: repeats) { for _ in 0..<steps { try trainStep() } } / Double(steps)
            let inferMs = try Benchmark.median(repeats: repeats) {
                for _ in 0..<(2 * steps) { _ = try network.forward(x, mode: .inference) }
            } / Double(2 * steps)
            for (kind, ms) in [("train", trainMs), ("inference", inferMs)] {
                let rate = Double(batch) / ms * 1000
                var extra = ["images_per_s": String(format: "%.0f", rate)]
                if let theirs = reference?["\(name)_\(kind)"] {
                    extra["torch_images_per_s"] = String(format: "%.0f", theirs)
                    extra["ratio_vs_torch"] = String(format: "%.2f", rate / theirs)
                }
                rows.append(Row(group: "nn", name: "\(name) \(kind)", shape: "batch 64, 1x28x28", threads: Parallel.threads,
                                medianMs: ms, extra: extra))
            }
        }
        var rng = SeededGenerator(seed: 2)
        let images = try Tensor(shape: [500, 1, 28, 28], storage: (0..<(500 * 784)).map { _ in Float(rng.nextUnitDouble()) })
        let embedding = RandomEmbedding()
        let ms = try Benchmark.median(repeats: max(3, repeats / 2)) {
            _ = try embedding.valueAndGradient(at: images, using: &rng) { f in (f.sum, Tensor(shape: f.shape, repeating: 1)) }
        }
        var extra = [String: String]()
        if let theirs = reference?["embedding_ms"] {
            extra["torch_ms"] = String(format: "%.1f", theirs)
            extra["speedup_vs_torch"] = String(format: "%.2f", theirs / ms)
        }
        rows.append(Row(group: "nn", name: "embedding gradient, fresh random ConvNet", shape: "500x1x28x28", threads: Parallel.threads,
                        medianMs: ms, extra: extra))
        return rows
    }

    /// The same measurements with PyTorch (CPU, same thread count), or `nil` when torch
    /// is not importable (`pip install torch`; it is not a dependency of this package).
    static func torchTimings() -> [String: Double]? {
        let script = """
        import time, torch, torch.nn as nn, torch.nn.functional as F
        torch.set_num_threads(\(Parallel.threads)); torch.manual_seed(0)
        class ConvNet(nn.Module):
            def __init__(self, width=128, depth=3):
                super().__init__()
                layers, c = [], 1
                for d in range(depth):
                    layers += [nn.Conv2d(c, width, 3, padding=3 if d == 0 else 1), nn.GroupNorm(width, width, affine=True), nn.ReLU(), nn.AvgPool2d(2)]
                    c = width
                self.features = nn.Sequential(*layers, nn.Flatten())
                self.classifier = nn.Linear(2048, 10)
            def forward(self, x): return F.log_softmax(self.classifier(self.features(x)), 1)
        def lenet5():
            return nn.Sequential(nn.Conv2d(1, 6, 1), nn.ReLU(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), nn.AvgPool2d(2),
                                 nn.Conv2d(16, 120, 5), nn.ReLU(), nn.Flatten(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10), nn.LogSoftmax(1))
        def cnn():
            return nn.Sequential(nn.Conv2d(1, 3, 4), nn.MaxPool2d(2, 1), nn.ReLU(), nn.Flatten(), nn.Linear(1728, 512), nn.Sigmoid(),
                                 nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 10), nn.LogSoftmax(1))
        def median(f, n=5):
            f(); ts = []
            for _ in range(n):
                t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
            return sorted(ts)[len(ts) // 2]
        x = torch.rand(64, 1, 28, 28); y = torch.arange(64) % 10
        out = {}
        for name, make, steps in [("convnet", ConvNet, 5), ("lenet5", lenet5, 100), ("cnn", cnn, 100)]:
            net = make(); opt = torch.optim.AdamW(net.parameters(), lr=3e-4, weight_decay=1e-4)
            def train():
                for _ in range(steps):
                    opt.zero_grad(); F.nll_loss(net(x), y).backward(); opt.step()
            def infer():
                with torch.no_grad():
                    for _ in range(2 * steps): net(x)
            out[name + "_train"] = 64 / (median(train) / steps)
            out[name + "_inference"] = 64 / (median(infer) / (2 * steps))
        imgs = torch.rand(500, 1, 28, 28)
        def call():
            net = ConvNet()
            for p in net.parameters(): p.requires_grad_(False)
            xi = imgs.clone().requires_grad_(True)
            net.features(xi).sum().backward()
        out["embedding_ms"] = median(call) * 1000
        print(" ".join("%s=%r" % kv for kv in out.items()))
        """
        guard let output = runPython(script) else {
            print("PyTorch comparison unavailable (python3 with torch not found: pip install torch)")
            return nil
        }
        return keyValues(output)
    }
}

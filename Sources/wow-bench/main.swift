import ArgumentParsing

// `wow-bench`: release-build benchmarks of the WoW step and its building blocks.
CommandLineTool.main(root: Benchmark.spec, handlers: ["": Benchmark.run])

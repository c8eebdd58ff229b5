import ArgumentParsing
import WassersteinFlows

// `wow`: the command-line front end of WassersteinFlows.
CommandLineTool.main(root: WowCommand.spec, version: WassersteinFlowsVersion.current, handlers: [
    "rings": RingsCommand.run,
    "flow": FlowCommand.run,
    "distance": DistanceCommand.run,
    "data list": DataCommand.list,
    "data fetch": DataCommand.fetch,
    "data show": DataCommand.show,
    "train": TrainCommand.run,
    "eval": TrainCommand.evaluate,
])

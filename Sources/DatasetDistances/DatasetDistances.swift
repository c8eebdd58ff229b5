// DatasetDistances: WoW distance, OTDD, label assignment.

// Baselines: OTDD flow, product-space MMD flow.

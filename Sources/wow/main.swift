print("wow")
